namespace Berth.Scanning.Versions;

/// <summary>
/// RPM versions, <c>[epoch:]version[-release]</c>, ordered as rpm's <c>rpmvercmp</c>: epochs numerically (absent
/// means 0), then version, then release, each split into alphanumeric segments by any other characters; digit
/// segments compare numerically and beat letter segments; '~' sorts before anything (even the end, for
/// pre-releases) and '^' sorts after the end but before any further segment (for post-release snapshots).
/// </summary>
public sealed class RpmVersion : VersionComparer<RpmVersion.Parsed>
{
    public static readonly RpmVersion Instance = new();

    public readonly record struct Parsed(string Epoch, string Version, string Release);

    public override string Name => "rpm";

    public override bool TryParse(string version, out Parsed parsed)
    {
        parsed = default;
        var s = version.Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var epoch = colon >= 0 ? s[..colon] : "0";
        var rest = colon >= 0 ? s[(colon + 1)..] : s;
        // The release follows the last hyphen; rpm forbids hyphens inside version and release.
        var hyphen = rest.LastIndexOf('-');
        var ver = hyphen >= 0 ? rest[..hyphen] : rest;
        var release = hyphen >= 0 ? rest[(hyphen + 1)..] : "";
        if (!Digits.AllDigits(epoch) || ver.Length == 0 || (hyphen >= 0 && release.Length == 0))
        {
            return false;
        }

        parsed = new Parsed(epoch, ver, release);
        return true;
    }

    public override int Compare(Parsed a, Parsed b)
    {
        var c = Digits.CompareNumeric(a.Epoch, b.Epoch);
        if (c != 0)
        {
            return c;
        }

        c = RpmVerCmp(a.Version, b.Version);
        return c != 0 ? c : RpmVerCmp(a.Release, b.Release);
    }

    /// <summary>rpm's <c>rpmvercmp</c> on one field (version or release).</summary>
    public static int RpmVerCmp(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.SequenceEqual(b))
        {
            return 0;
        }

        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            // Separators (anything but letters, digits, '~' and '^') only delimit segments.
            while (i < a.Length && !IsSegmentChar(a[i]))
            {
                i++;
            }

            while (j < b.Length && !IsSegmentChar(b[j]))
            {
                j++;
            }

            var at = i < a.Length ? a[i] : '\0';
            var bt = j < b.Length ? b[j] : '\0';
            if (at == '~' || bt == '~')
            {
                if (at != '~')
                {
                    return 1;
                }

                if (bt != '~')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }
            if (at == '^' || bt == '^')
            {
                // '^' beats the end of the string but loses to any other segment.
                if (i >= a.Length)
                {
                    return -1;
                }

                if (j >= b.Length)
                {
                    return 1;
                }

                if (at != '^')
                {
                    return 1;
                }

                if (bt != '^')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }
            if (i >= a.Length || j >= b.Length)
            {
                break;
            }

            var numeric = char.IsAsciiDigit(a[i]);
            var si = i;
            var sj = j;
            while (i < a.Length && (numeric ? char.IsAsciiDigit(a[i]) : char.IsAsciiLetter(a[i])))
            {
                i++;
            }

            while (j < b.Length && (numeric ? char.IsAsciiDigit(b[j]) : char.IsAsciiLetter(b[j])))
            {
                j++;
            }
            // Segments of different types: a numeric segment is always newer than an alphabetic one.
            if (j == sj)
            {
                return numeric ? 1 : -1;
            }

            var c = numeric
                ? Digits.CompareNumeric(a[si..i], b[sj..j])
                : Math.Sign(a[si..i].SequenceCompareTo(b[sj..j]));
            if (c != 0)
            {
                return c;
            }
        }
        if (i >= a.Length && j >= b.Length)
        {
            return 0;
        }
        // Whichever still has segments left is newer.
        return i < a.Length ? 1 : -1;
    }

    private static bool IsSegmentChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '~' or '^';
}
