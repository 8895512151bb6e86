using System.Text.Json;

namespace Berth.Scanning.Advisories;

/// <summary>A finding's severity: the level, and when it came from a CVSS v3 vector, the computed base score and the vector.</summary>
public sealed record Severity(SeverityLevel Level, double? Score, string? Vector)
{
    public static readonly Severity Unknown = new(SeverityLevel.Unknown, null, null);

    /// <summary>CVSS v3.x qualitative rating: 0 None, 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0–10 Critical.</summary>
    public static SeverityLevel Rate(double score) => score switch
    {
        0 => SeverityLevel.None,
        < 4.0 => SeverityLevel.Low,
        < 7.0 => SeverityLevel.Medium,
        < 9.0 => SeverityLevel.High,
        _ => SeverityLevel.Critical,
    };

    /// <summary>
    /// Picks an advisory's severity for one affected entry: a CVSS v3 vector (the entry's own first, then the
    /// advisory's), scored here; otherwise a textual rating (a distro severity entry such as Ubuntu's, or
    /// <c>database_specific.severity</c> as GitHub writes it); otherwise unknown. CVSS v4 and v2 vectors are kept
    /// out: their scores need the FIRST lookup tables (v4) or are obsolete (v2).
    /// </summary>
    public static Severity For(OsvAdvisory advisory, OsvAffected affected)
    {
        var entries = affected.Severity.Concat(advisory.Severity).ToList();
        foreach (var s in entries)
        {
            if (s.Type == "CVSS_V3" && Cvss3.TryScore(s.Score, out var score))
            {
                return new Severity(Rate(score), score, s.Score);
            }
        }

        foreach (var s in entries)
        {
            if (!s.Type.StartsWith("CVSS_", StringComparison.Ordinal) && ParseText(s.Score) is { } level)
            {
                return new Severity(level, null, null);
            }
        }

        foreach (var specific in new[] { affected.DatabaseSpecific, affected.EcosystemSpecific, advisory.DatabaseSpecific })
        {
            if (specific is { } o && o.TryGetProperty("severity", out var v) && v.ValueKind == JsonValueKind.String
                && ParseText(v.GetString()!) is { } level)
            {
                return new Severity(level, null, null);
            }
        }

        return Unknown;
    }

    // The words databases use: GitHub's LOW/MODERATE/HIGH/CRITICAL, Red Hat's Important, Debian/Ubuntu's
    // negligible/unimportant.
    private static SeverityLevel? ParseText(string text) => text.Trim().ToLowerInvariant() switch
    {
        "critical" => SeverityLevel.Critical,
        "high" or "important" => SeverityLevel.High,
        "moderate" or "medium" => SeverityLevel.Medium,
        "low" or "negligible" or "unimportant" => SeverityLevel.Low,
        "none" => SeverityLevel.None,
        _ => null,
    };
}
