namespace Berth.Scanning.Versions;

/// <summary>Orders version strings by one ecosystem's own rules.</summary>
public interface IVersionComparer
{
    /// <summary>The ordering name, for diagnostics ("dpkg", "semver", ...).</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="version"/> is well formed for this ecosystem.</summary>
    bool IsValid(string version);

    /// <summary>Compares two versions; false when either is not well formed.</summary>
    bool TryCompare(string a, string b, out int result);

    /// <summary>Compares two versions (negative, zero, positive).</summary>
    /// <exception cref="InvalidVersionException">Either version is not well formed for this ecosystem.</exception>
    int Compare(string a, string b);
}

/// <summary>Helpers for comparing arbitrarily long digit runs without overflow.</summary>
internal static class Digits
{
    /// <summary>Compares two runs of ASCII digits numerically: leading zeros dropped, then longer is larger, then ordinal.</summary>
    public static int CompareNumeric(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length)
        {
            return a.Length < b.Length ? -1 : 1;
        }

        return Math.Sign(a.SequenceCompareTo(b));
    }

    public static bool AllDigits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
}
