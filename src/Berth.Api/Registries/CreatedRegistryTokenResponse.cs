namespace Berth.Api;

/// <summary>The only response that carries a registry access token: the one at creation.</summary>
public sealed record CreatedRegistryTokenResponse(
    string Id, string Name, string Token, IReadOnlyList<string> Scopes, IReadOnlyList<string> Repositories, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
