namespace Berth.Api;

/// <summary>
/// A recently deleted tag, or with <see cref="Tag"/> null an untagged manifest, restorable until
/// <see cref="ExpiresAt"/> (<c>GET /api/v1/registries/{name}/deleted</c>).
/// </summary>
public sealed record DeletedEntryResponse(string Repository, string? Tag, string Digest, DateTimeOffset DeletedAt, DateTimeOffset ExpiresAt);
