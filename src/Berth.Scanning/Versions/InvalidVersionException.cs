namespace Berth.Scanning.Versions;

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
