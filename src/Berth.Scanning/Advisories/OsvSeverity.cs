namespace Berth.Scanning.Advisories;

/// <summary>A severity entry: <see cref="Type"/> is CVSS_V2, CVSS_V3, CVSS_V4 or a distro's own ("Ubuntu").</summary>
public sealed record OsvSeverity(string Type, string Score);
