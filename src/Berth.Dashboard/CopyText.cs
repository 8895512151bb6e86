namespace Berth.Dashboard;

/// <summary>A value with a copy button (the <c>_Copy</c> partial). <paramref name="Block"/>: multi-line (YAML).</summary>
public sealed record CopyText(string Id, string Label, string Text, bool Block = false, string? Class = null);
