using System.Globalization;

namespace Berth.Cli;

/// <summary>Human-readable values for tables.</summary>
public static class Format
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>1536 → "1.5 KiB", 12 → "12 B".</summary>
    public static string Bytes(long bytes)
    {
        if (Math.Abs(bytes) < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (Math.Abs(value) >= 1023.95 && unit < Units.Length - 1);

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>Usage against an optional limit: "12.3 MiB / 10.0 GiB".</summary>
    public static string Usage(long used, long? limit) =>
        limit is { } l and > 0 ? $"{Bytes(used)} / {Bytes(l)}" : Bytes(used);

    /// <summary>Local time as "yyyy-MM-dd HH:mm".</summary>
    public static string Date(DateTimeOffset value) =>
        value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
