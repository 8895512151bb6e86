namespace Berth.Scanning.Advisories;

/// <summary>One range event; exactly one of the four is set.</summary>
public sealed record OsvEvent(string? Introduced, string? Fixed, string? LastAffected, string? Limit);
