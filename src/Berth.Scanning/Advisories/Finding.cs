namespace Berth.Scanning.Advisories;

/// <summary>
/// An installed package affected by an advisory. <see cref="FixedVersion"/> is the smallest fixed version above the
/// installed one, or null when no fix is published.
/// </summary>
public sealed record Finding(
    string AdvisoryId,
    IReadOnlyList<string> Aliases,
    Package Package,
    string InstalledVersion,
    string? FixedVersion,
    Severity Severity,
    string? Summary);
