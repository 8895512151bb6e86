namespace Berth.Core.Metadata;

/// <summary>
/// An access token of a registry: used as the password with the registry's name as username, limited to
/// <see cref="Scopes"/> (comma-separated <c>pull</c>, <c>push</c>, <c>delete</c>) and, when
/// <see cref="Repositories"/> is not empty, to the repositories those glob patterns match. Only the SHA-256 of its
/// secret is stored (the secret is 256 random bits: nothing to brute-force); the token is shown once. A revoked token
/// stays as a row (revocation is final), so its name is free again and its id is never reused.
/// </summary>
public sealed record RegistryTokenRecord(
    string Id,
    string RegistryId,
    string Name,
    string SecretHash,
    string Scopes,
    IReadOnlyList<string> Repositories,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedFrom,
    DateTimeOffset? RevokedAt);
