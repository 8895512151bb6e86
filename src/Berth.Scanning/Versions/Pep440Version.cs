using System.Text.RegularExpressions;

namespace Berth.Scanning.Versions;

/// <summary>
/// Python package versions (PEP 440, as normalised and ordered by the <c>packaging</c> library):
/// <c>[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]</c>, case-insensitive, with the spellings PEP 440 normalises
/// (alpha→a, beta→b, c/pre/preview→rc, rev/r→post, "-N"→postN, optional separators and numbers). Ordering: epoch,
/// release (trailing zeros ignored), then dev-only releases before pre-releases before the release before
/// post-releases, dev before the non-dev of the same segment, and a local version after its public one.
/// </summary>
public sealed partial class Pep440Version : VersionComparer<Pep440Version.Parsed>
{
    public static readonly Pep440Version Instance = new();

    /// <summary>
    /// The sort key. Pre/Post/Dev use long.MinValue / long.MaxValue as the spec's -∞/+∞ sentinels so that a plain
    /// tuple comparison yields PEP 440 order.
    /// </summary>
    public sealed record Parsed(long Epoch, long[] Release, int PreKind, long Pre, long Post, long Dev, string[]? Local);

    public override string Name => "pep440";

    // PEP 440 Appendix B's VERSION_PATTERN (the canonical regular expression).
    [GeneratedRegex("""
        ^\s*v?
        (?:(?<epoch>[0-9]+)!)?
        (?<release>[0-9]+(?:\.[0-9]+)*)
        (?<pre>[-_\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?<pre_n>[0-9]+)?)?
        (?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?
        (?<dev>[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?
        (?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
        \s*$
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public override bool TryParse(string version, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Parsed parsed)
    {
        parsed = null;
        var m = Pattern().Match(version);
        if (!m.Success)
        {
            return false;
        }

        try
        {
            var epoch = m.Groups["epoch"].Success ? long.Parse(m.Groups["epoch"].Value) : 0;
            var release = m.Groups["release"].Value.Split('.').Select(long.Parse).ToArray();

            var hasPre = m.Groups["pre"].Success;
            var hasPost = m.Groups["post"].Success;
            var hasDev = m.Groups["dev"].Success;
            int preKind;
            long pre;
            if (hasPre)
            {
                preKind = m.Groups["pre_l"].Value.ToLowerInvariant() switch
                {
                    "a" or "alpha" => 0,
                    "b" or "beta" => 1,
                    _ => 2, // c, rc, pre, preview all normalise to rc
                };
                pre = Number(m.Groups["pre_n"]);
            }
            else if (!hasPost && hasDev)
            {
                // A dev release of the release itself (1.0.dev1) sorts before its pre-releases (1.0a1).
                preKind = int.MinValue;
                pre = long.MinValue;
            }
            else
            {
                preKind = int.MaxValue;
                pre = long.MaxValue;
            }
            var post = hasPost
                ? (m.Groups["post_n1"].Success ? long.Parse(m.Groups["post_n1"].Value) : Number(m.Groups["post_n2"]))
                : long.MinValue;
            var dev = hasDev ? Number(m.Groups["dev_n"]) : long.MaxValue;
            var local = m.Groups["local"].Success
                ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
                : null;
            parsed = new Parsed(epoch, release, preKind, pre, post, dev, local);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    // An omitted pre/post/dev number is 0 (PEP 440 "implicit number").
    private static long Number(Group g) => g.Success ? long.Parse(g.Value) : 0;

    public override int Compare(Parsed a, Parsed b)
    {
        var c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0)
        {
            return c;
        }
        // Missing release components count as 0, so trailing zeros do not matter (1.0 == 1.0.0).
        for (var i = 0; i < Math.Max(a.Release.Length, b.Release.Length); i++)
        {
            c = (i < a.Release.Length ? a.Release[i] : 0).CompareTo(i < b.Release.Length ? b.Release[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }
        c = a.PreKind.CompareTo(b.PreKind);
        if (c == 0)
        {
            c = a.Pre.CompareTo(b.Pre);
        }

        if (c == 0)
        {
            c = a.Post.CompareTo(b.Post);
        }

        if (c == 0)
        {
            c = a.Dev.CompareTo(b.Dev);
        }

        return c != 0 ? c : CompareLocal(a.Local, b.Local);
    }

    // PEP 440 local versions: absent sorts first; segments compare numerically when both are numeric, a numeric
    // segment beats an alphanumeric one, alphanumerics compare lexically, and more segments win a tie.
    private static int CompareLocal(string[]? a, string[]? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var an = Digits.AllDigits(a[i]);
            var bn = Digits.AllDigits(b[i]);
            var c = an && bn ? Digits.CompareNumeric(a[i], b[i])
                : an != bn ? (an ? 1 : -1)
                : Math.Sign(string.CompareOrdinal(a[i], b[i]));
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }
}
