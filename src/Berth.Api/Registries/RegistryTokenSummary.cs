namespace Berth.Api;

/// <summary>An access token named in the answer to a password reset or revoke-all.</summary>
public sealed record RegistryTokenSummary(string Id, string Name, IReadOnlyList<string> Scopes);
