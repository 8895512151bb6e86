namespace Berth.Core.Metadata;

/// <summary>Access tokens of registries (<see cref="RegistryTokenRecord"/>).</summary>
public interface IRegistryTokenStore
{
    /// <exception cref="MetadataConflictException">the registry has a live (unrevoked) token of that name</exception>
    /// <exception cref="KeyNotFoundException">the registry does not exist (any more)</exception>
    Task CreateRegistryTokenAsync(RegistryTokenRecord token, CancellationToken cancellationToken);

    /// <summary>A token (revoked ones included) with its registry's name; null when unknown or its registry is deleted.</summary>
    Task<RegistryTokenCredential?> GetRegistryTokenAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>The registry's unrevoked tokens (expired ones included), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RegistryTokenRecord>> ListRegistryTokensAsync(string registryId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes a token of the registry and announces it to every node (<see cref="ICredentialChangeFeed"/>) in the
    /// same transaction. False when the registry has no such unrevoked token.
    /// </summary>
    Task<bool> RevokeRegistryTokenAsync(string registryId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// For a compromise, in one transaction: replaces the password (a new generation, which kills the old password and
    /// every bearer token issued under it) and revokes every token of the registry, announcing all of it to every node.
    /// Null when the registry does not exist (any more).
    /// </summary>
    Task<CredentialsRevocation?> RevokeAllCredentialsAsync(string registryId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a use: when (never moving back, as touches from several nodes may land out of order) and from where.
    /// True when it is the token's first recorded use (true once, whichever node records it).
    /// </summary>
    Task<bool> TouchRegistryTokenAsync(string tokenId, DateTimeOffset now, string? from, CancellationToken cancellationToken);
}
