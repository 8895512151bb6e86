namespace Berth.Core.Metadata;

/// <summary>An index of the repository listing a child manifest.</summary>
public sealed record CleanupIndexLink(string IndexDigest, string ChildDigest);
