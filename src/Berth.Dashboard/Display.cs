using System.Globalization;
using Berth.Core;
using Berth.Core.Metadata;

namespace Berth.Dashboard;

/// <summary>How values read on the pages: one format for sizes, times and digests everywhere.</summary>
public static class Display
{
    public static string Bytes(long bytes) => ByteSize.Format(bytes);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at, string never = "never") => at is { } value ? Time(value) : never;

    /// <summary>Machine-readable form for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Share of the allocation in use, 0–100, for the usage bars.</summary>
    public static int Percent(long used, long limit) =>
        limit <= 0 ? 100 : (int)Math.Clamp(Math.Ceiling(used * 100.0 / limit), 0, 100);

    /// <summary><c>sha256:0123456789ab</c>: enough to tell artifacts apart in a table.</summary>
    public static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    public static string Role(ProjectRole role) => role.ToString();

    public static string Count(long count, string singular, string plural) =>
        count.ToString("N0", CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural);

    /// <summary>Severity levels from worst to least, with their counts (for badges and summaries).</summary>
    public static IEnumerable<(string Level, int Count)> SeverityCounts(Berth.Core.Metadata.ScanSummary summary) =>
    [
        ("critical", summary.Critical), ("high", summary.High), ("medium", summary.Medium), ("low", summary.Low), ("unknown", summary.Unknown),
    ];

    /// <summary>"2 critical, 1 high" (levels with none left out), or "no known vulnerabilities".</summary>
    public static string Findings(Berth.Core.Metadata.ScanSummary summary) =>
        summary.Total == 0 ? "no known vulnerabilities" : string.Join(", ", SeverityCounts(summary).Where(c => c.Count > 0).Select(c => $"{c.Count} {c.Level}"));
}
