namespace Berth.Api;

/// <summary>
/// One vulnerable package: the advisory (OSV id and aliases such as CVE ids), the package and its installed version,
/// the first fixed version when one is published, and the severity (lowercase level, CVSS v3 score and vector).
/// </summary>
public sealed record FindingView(
    string AdvisoryId,
    IReadOnlyList<string> Aliases,
    string Package,
    string Ecosystem,
    string InstalledVersion,
    string? FixedVersion,
    string Severity,
    double? CvssScore,
    string? CvssVector,
    string? Summary,
    string Location);
