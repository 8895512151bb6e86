namespace Berth.Cli;

/// <summary>
/// The config file written by <c>berth login</c>: the server, the user, and the personal access token login created
/// for this machine (never a password); <see cref="TokenId"/> lets the next login revoke it.
/// </summary>
public sealed record StoredConfig(string? Url, string? Username, string? Token, string? TokenId);
