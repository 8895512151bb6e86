namespace Berth.Scanning.Versions;

/// <summary>
/// NuGet package versions (NuGet.Versioning): <c>Major[.Minor[.Patch[.Revision]]][-label][+metadata]</c>; missing
/// numeric parts are 0, so 1.0 == 1.0.0 == 1.0.0.0; the four numbers compare first, then release labels by SemVer 2.0
/// rules except that alphanumeric labels compare case-insensitively; metadata is ignored.
/// </summary>
public sealed class NuGetVersion : VersionComparer<NuGetVersion.Parsed>
{
    public static readonly NuGetVersion Instance = new();

    public sealed record Parsed(string[] Numbers, string[] Release);

    public override string Name => "nuget";

    public override bool TryParse(string version, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Parsed parsed)
    {
        parsed = null;
        var s = version.Trim();
        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            s = s[..plus];
        }

        string[] release = [];
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            release = s[(dash + 1)..].Split('.');
            if (release.Any(id => id.Length == 0 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-')))
            {
                return false;
            }

            s = s[..dash];
        }
        var numbers = s.Split('.');
        if (numbers.Length > 4 || !numbers.All(n => Digits.AllDigits(n)))
        {
            return false;
        }

        parsed = new Parsed([.. numbers, .. Enumerable.Repeat("0", 4 - numbers.Length)], release);
        return true;
    }

    public override int Compare(Parsed a, Parsed b)
    {
        for (var i = 0; i < 4; i++)
        {
            var c = Digits.CompareNumeric(a.Numbers[i], b.Numbers[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return SemanticVersion.ComparePrerelease(a.Release, b.Release, StringComparison.OrdinalIgnoreCase);
    }
}
