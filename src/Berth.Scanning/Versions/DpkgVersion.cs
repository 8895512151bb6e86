namespace Berth.Scanning.Versions;

/// <summary>
/// Debian package versions, <c>[epoch:]upstream[-revision]</c>, ordered as dpkg does (deb-version(7),
/// dpkg's <c>verrevcmp</c>): epochs numerically, then upstream and revision each by alternating non-digit and digit
/// runs, where in non-digit runs '~' sorts before everything (even the end of the string), letters sort before
/// non-letters, and digit runs compare numerically.
/// </summary>
public sealed class DpkgVersion : VersionComparer<DpkgVersion.Parsed>
{
    public static readonly DpkgVersion Instance = new();

    public readonly record struct Parsed(string Epoch, string Upstream, string Revision);

    public override string Name => "dpkg";

    public override bool TryParse(string version, out Parsed parsed)
    {
        parsed = default;
        var s = version.Trim();
        // deb-version(7): the epoch is everything before the first colon, the revision everything after the last hyphen.
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        var epoch = colon >= 0 ? s[..colon] : "0";
        var rest = colon >= 0 ? s[(colon + 1)..] : s;
        var hyphen = rest.LastIndexOf('-');
        var upstream = hyphen >= 0 ? rest[..hyphen] : rest;
        var revision = hyphen >= 0 ? rest[(hyphen + 1)..] : "";
        // What dpkg refuses outright (parseversion errors): empty parts, a non-numeric epoch, embedded spaces.
        // A leading non-digit or an unusual character is only a warning there, and dpkg still compares such
        // versions, so they are accepted here too.
        if (!Digits.AllDigits(epoch) || upstream.Length == 0 || (hyphen >= 0 && revision.Length == 0)
            || s.Any(char.IsWhiteSpace))
        {
            return false;
        }

        parsed = new Parsed(epoch, upstream, revision);
        return true;
    }

    public override int Compare(Parsed a, Parsed b)
    {
        var c = Digits.CompareNumeric(a.Epoch, b.Epoch);
        if (c != 0)
        {
            return c;
        }

        c = VerRevCmp(a.Upstream, b.Upstream);
        return c != 0 ? c : VerRevCmp(a.Revision, b.Revision);
    }

    // dpkg's order(): digits and the end of string weigh 0, letters their code, '~' -1, anything else code + 256.
    private static int Order(ReadOnlySpan<char> s, int i)
    {
        if (i >= s.Length || char.IsAsciiDigit(s[i]))
        {
            return 0;
        }

        var c = s[i];
        if (char.IsAsciiLetter(c))
        {
            return c;
        }

        return c == '~' ? -1 : c + 256;
    }

    private static int VerRevCmp(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = Order(a, i);
                var bc = Order(b, j);
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }
            var ai = i;
            while (ai < a.Length && char.IsAsciiDigit(a[ai]))
            {
                ai++;
            }

            var bj = j;
            while (bj < b.Length && char.IsAsciiDigit(b[bj]))
            {
                bj++;
            }

            var c = Digits.CompareNumeric(a[i..ai], b[j..bj]);
            if (c != 0)
            {
                return c;
            }

            i = ai;
            j = bj;
        }
        return 0;
    }
}
