using System.Globalization;

namespace Berth.Core;

/// <summary>Byte counts as people read and write them: binary units (KiB, MiB, GiB, …).</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>1536 → "1.5 KiB", 12 → "12 B".</summary>
    public static string Format(long bytes)
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

    public const long GiB = 1024L * 1024 * 1024;
}
