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

    public const long KiB = 1024L;
    public const long MiB = 1024L * KiB;
    public const long GiB = 1024L * MiB;
    public const long TiB = 1024L * GiB;

    /// <summary>
    /// Parses a size as people type it: a non-negative number (decimals allowed) optionally followed by a binary unit,
    /// case-insensitive, with optional whitespace in between: <c>B</c>, <c>K</c>/<c>Ki</c>/<c>KiB</c>/<c>KB</c>,
    /// and likewise <c>M</c>, <c>G</c>, <c>T</c>, <c>P</c>, <c>E</c>. Every unit is binary (<c>20G</c> and <c>20GB</c> are
    /// 20 GiB, as in Docker). A bare number is bytes. Fails on anything else, on a fraction of a byte and on overflow.
    /// </summary>
    public static bool TryParse(string? text, out long bytes) => TryParse(text, 1, out bytes);

    /// <summary>As <see cref="TryParse(string?, out long)"/>, but a bare number counts <paramref name="bareUnit"/> bytes each.</summary>
    public static bool TryParse(string? text, long bareUnit, out long bytes)
    {
        bytes = 0;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bareUnit);
        var s = text?.Trim() ?? "";
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
        {
            end++;
        }

        if (end == 0
            || !decimal.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || UnitBytes(s[end..].TrimStart(), bareUnit) is not { } multiplier)
        {
            return false;
        }

        try
        {
            var value = number * multiplier;
            if (value != decimal.Truncate(value) || value > long.MaxValue)
            {
                return false;
            }

            bytes = (long)value;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static long? UnitBytes(string unit, long bareUnit)
    {
        if (unit.Length == 0)
        {
            return bareUnit;
        }

        if (unit.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        var index = "KMGTPE".IndexOf(char.ToUpperInvariant(unit[0]), StringComparison.Ordinal);
        var suffix = unit[1..];
        if (index < 0 || !(suffix.Length == 0 || suffix.Equals("i", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("iB", StringComparison.OrdinalIgnoreCase) || suffix.Equals("B", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return 1L << (10 * (index + 1));
    }
}
