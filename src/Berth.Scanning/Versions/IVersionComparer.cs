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
