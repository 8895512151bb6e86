namespace Berth.Cli;

/// <summary>The config file written by <c>berth login</c>.</summary>
public sealed record StoredConfig(string? Url, string? Username, string? Password);
