namespace Berth.Scanning.Versions;

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
