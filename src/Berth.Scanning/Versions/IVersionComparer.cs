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

/// <summary>A version string the ecosystem's rules cannot parse.</summary>
public sealed class InvalidVersionException : FormatException
{
    public InvalidVersionException() { }

    public InvalidVersionException(string message) : base(message) { }

    public InvalidVersionException(string message, Exception innerException) : base(message, innerException) { }

    public InvalidVersionException(string comparer, string version)
        : base($"'{version}' is not a valid {comparer} version.")
    {
        Comparer = comparer;
        Version = version;
    }

    public string? Comparer { get; }

    public string? Version { get; }
}

/// <summary>
/// Shared plumbing: each ordering parses a string into <typeparamref name="T"/> once and compares the parsed forms,
/// so validation and comparison can never disagree.
/// </summary>
public abstract class VersionComparer<T> : IVersionComparer where T : notnull
{
    public abstract string Name { get; }

    /// <summary>Parses <paramref name="version"/>; false when it is not well formed.</summary>
    public abstract bool TryParse(string version, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T parsed);

    /// <summary>Compares two parsed versions.</summary>
    public abstract int Compare(T a, T b);

    public bool IsValid(string version) => TryParse(version, out _);

    public bool TryCompare(string a, string b, out int result)
    {
        if (TryParse(a, out var pa) && TryParse(b, out var pb))
        {
            result = Math.Sign(Compare(pa, pb));
            return true;
        }
        result = 0;
        return false;
    }

    public int Compare(string a, string b)
    {
        if (!TryParse(a, out var pa))
        {
            throw new InvalidVersionException(Name, a);
        }

        if (!TryParse(b, out var pb))
        {
            throw new InvalidVersionException(Name, b);
        }

        return Math.Sign(Compare(pa, pb));
    }
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
