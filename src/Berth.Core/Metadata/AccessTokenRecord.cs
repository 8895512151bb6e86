namespace Berth.Core.Metadata;

/// <summary>
/// A personal access token. Only a hash of its secret is stored (SHA-256 suffices: the secret is 256 random bits,
/// so there is nothing to brute-force); the token itself is shown once at creation.
/// </summary>
public sealed record AccessTokenRecord(
    string Id,
    string UserId,
    string Name,
    string SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);
