namespace Berth.Api;

/// <summary>A registry access token as listed (never the token itself). <see cref="State"/>: <c>active</c> or <c>expired</c>.</summary>
public sealed record RegistryTokenResponse(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Repositories,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedFrom,
    string State);
