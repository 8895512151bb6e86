using System.Globalization;

namespace Berth.Cli;

/// <summary>Human-readable values for tables.</summary>
public static class Format
{
    /// <summary>1536 → "1.5 KiB", 12 → "12 B".</summary>
    public static string Bytes(long bytes) => Berth.Core.ByteSize.Format(bytes);

    /// <summary>Usage against the limit: "12.3 MiB / 10.0 GiB" (the usage alone when the limit is 0).</summary>
    public static string Usage(long used, long limit) =>
        limit > 0 ? $"{Bytes(used)} / {Bytes(limit)}" : Bytes(used);

    /// <summary>Local time as "yyyy-MM-dd HH:mm".</summary>
    public static string Date(DateTimeOffset value) =>
        value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Local time to the second, "yyyy-MM-dd HH:mm:ss", for audit events.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"1 tag", "3 tags".</summary>
    public static string Count(long n, string singular, string plural) => Number(n) + " " + (n == 1 ? singular : plural);
}
