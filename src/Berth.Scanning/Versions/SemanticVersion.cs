namespace Berth.Scanning.Versions;

/// <summary>
/// Semantic Versioning 2.0.0 precedence (semver.org §11): major, minor and patch numerically; a pre-release sorts
/// before its release; pre-release identifiers compare numerically when both are numeric, numeric before
/// alphanumeric, alphanumerics in ASCII order, and a longer list wins when all shared identifiers are equal; build
/// metadata is ignored. A leading 'v' (Go module versions) is tolerated.
/// </summary>
public sealed class SemanticVersion : VersionComparer<SemanticVersion.Parsed>
{
    public static readonly SemanticVersion Instance = new();

    public sealed record Parsed(string Major, string Minor, string Patch, string[] Prerelease);

    public override string Name => "semver";

    public override bool TryParse(string version, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Parsed parsed)
    {
        parsed = null;
        var s = version.Trim();
        if (s.StartsWith('v') || s.StartsWith('V'))
        {
            s = s[1..];
        }

        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            if (!ValidIdentifiers(s[(plus + 1)..], numericRule: false, out _))
            {
                return false;
            }

            s = s[..plus];
        }
        string[] pre = [];
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!ValidIdentifiers(s[(dash + 1)..], numericRule: true, out pre))
            {
                return false;
            }

            s = s[..dash];
        }
        var core = s.Split('.');
        if (core.Length != 3 || !core.All(IsNumericIdentifier))
        {
            return false;
        }

        parsed = new Parsed(core[0], core[1], core[2], pre);
        return true;
    }

    // semver.org §9/§10: identifiers are non-empty [0-9A-Za-z-]; numeric pre-release identifiers have no leading zeros.
    private static bool ValidIdentifiers(string s, bool numericRule, out string[] ids)
    {
        ids = s.Split('.');
        foreach (var id in ids)
        {
            if (id.Length == 0 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
            {
                return false;
            }

            if (numericRule && Digits.AllDigits(id) && !IsNumericIdentifier(id))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsNumericIdentifier(string s) => Digits.AllDigits(s) && (s.Length == 1 || s[0] != '0');

    public override int Compare(Parsed a, Parsed b)
    {
        var c = Digits.CompareNumeric(a.Major, b.Major);
        if (c == 0)
        {
            c = Digits.CompareNumeric(a.Minor, b.Minor);
        }

        if (c == 0)
        {
            c = Digits.CompareNumeric(a.Patch, b.Patch);
        }

        return c != 0 ? c : ComparePrerelease(a.Prerelease, b.Prerelease, StringComparison.Ordinal);
    }

    /// <summary>SemVer pre-release precedence; <paramref name="comparison"/> lets NuGet compare labels case-insensitively.</summary>
    internal static int ComparePrerelease(string[] a, string[] b, StringComparison comparison)
    {
        // A version without pre-release identifiers is the release, newer than any of its pre-releases.
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 0 : a.Length == 0 ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var an = Digits.AllDigits(a[i]);
            var bn = Digits.AllDigits(b[i]);
            int c;
            if (an && bn)
            {
                c = Digits.CompareNumeric(a[i], b[i]);
            }
            else if (an != bn)
            {
                c = an ? -1 : 1;
            }
            else
            {
                c = Math.Sign(string.Compare(a[i], b[i], comparison));
            }

            if (c != 0)
            {
                return c;
            }
        }
        return Math.Sign(a.Length.CompareTo(b.Length));
    }
}
