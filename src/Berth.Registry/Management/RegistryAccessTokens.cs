using Berth.Registry.Auditing;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// A registry's access tokens: create (the token exists in clear only in the result), list, revoke one, and revoke
/// every credential at once for a compromise. Revocations take effect at once on this node (the verifier's tombstone)
/// and, through the store's change feed, on the others. All of it is audited.
/// </summary>
public sealed class RegistryAccessTokens(
    IRegistryTokenStore store,
    RegistryTokenVerifier verifier,
    CredentialGenerations generations,
    RegistryLifecycle lifecycle,
    TimeProvider time)
{
    public const int MaxNameLength = 100;

    public const int MaxExpiryDays = 3650;

    /// <summary>Live tokens a registry may have, which bounds every token list to one page.</summary>
    public const int MaxTokensPerRegistry = 100;

    /// <exception cref="ManagementException">400 for an invalid name, scopes, patterns or expiry; 409 for a name in use or too many tokens</exception>
    public async Task<(RegistryTokenRecord Record, string Token)> CreateAsync(RegistryRecord registry, string? name, IReadOnlyList<string>? scopes,
        IReadOnlyList<string>? repositories, int? expiresInDays, AuditActor actor, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw Invalid("Name required", $"A token needs a name of 1–{MaxNameLength} printable characters, e.g. what uses it.");
        }

        var actions = ParseScopes(scopes);
        if (!RepositoryPatterns.TryParse(repositories, out var patterns, out var error))
        {
            throw Invalid("Invalid repository patterns", error!);
        }

        if (expiresInDays is < 1 or > MaxExpiryDays)
        {
            throw Invalid("Invalid expiry", $"expiresInDays must be between 1 and {MaxExpiryDays} (or absent for no expiry).");
        }

        if ((await store.ListRegistryTokensAsync(registry.Id, MaxTokensPerRegistry, cancellationToken)).Count >= MaxTokensPerRegistry)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Too many tokens",
                $"Registry '{registry.Name}' has {MaxTokensPerRegistry} access tokens, the most it may have. Revoke some first.");
        }

        var now = time.GetUtcNow();
        var (record, token) = RegistryTokenVerifier.NewToken(registry.Id, trimmed, actions, patterns?.Patterns ?? [], now, actor.Name,
            expiresInDays is { } days ? now.AddDays(days) : null);
        try
        {
            await store.CreateRegistryTokenAsync(record, cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Name in use",
                $"Registry '{registry.Name}' already has an access token named '{trimmed}'. Choose another name, or revoke that one first.");
        }
        catch (KeyNotFoundException)
        {
            throw RegistryLifecycle.NotFound(registry.Name);
        }

        await lifecycle.AuditAsync(registry, actor, "registry.token.created", $"token '{record.Name}' ({record.Id}): {record.Scopes}" +
            (record.Repositories.Count == 0 ? "" : " on " + string.Join(' ', record.Repositories)), cancellationToken);
        return (record, token);
    }

    /// <summary>The first name of <paramref name="name"/>, <c>name-2</c>, <c>name-3</c>… that no live token of the registry has.</summary>
    public async Task<string> FreeNameAsync(RegistryRecord registry, string name, CancellationToken cancellationToken)
    {
        var taken = (await store.ListRegistryTokensAsync(registry.Id, MaxTokensPerRegistry, cancellationToken)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (var n = 2; taken.Contains(candidate); n++)
        {
            candidate = $"{name}-{n}";
        }

        return candidate;
    }

    /// <summary>The registry's unrevoked tokens, expired ones included, newest first (at most <see cref="MaxTokensPerRegistry"/>).</summary>
    public Task<IReadOnlyList<RegistryTokenRecord>> ListAsync(RegistryRecord registry, CancellationToken cancellationToken) =>
        store.ListRegistryTokensAsync(registry.Id, MaxTokensPerRegistry, cancellationToken);

    /// <summary>The tokens that work now (unrevoked, unexpired): what a password reset leaves working.</summary>
    public async Task<IReadOnlyList<RegistryTokenRecord>> ListActiveAsync(RegistryRecord registry, CancellationToken cancellationToken) =>
        (await ListAsync(registry, cancellationToken)).Where(t => !IsExpired(t)).ToList();

    public bool IsExpired(RegistryTokenRecord token) => token.ExpiresAt <= time.GetUtcNow();

    /// <exception cref="ManagementException">404 when the registry has no unrevoked token with that id</exception>
    public async Task RevokeAsync(RegistryRecord registry, string id, AuditActor actor, CancellationToken cancellationToken)
    {
        if (!await store.RevokeRegistryTokenAsync(registry.Id, id, time.GetUtcNow(), cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Token not found", $"Registry '{registry.Name}' has no active access token with id '{id}'.");
        }

        verifier.Revoked(id);
        await lifecycle.AuditAsync(registry, actor, "registry.token.revoked", $"token {id}", cancellationToken);
    }

    /// <summary>
    /// For a compromise: a new password (returned, shown once), the old one and every bearer token issued under it dead,
    /// and every access token revoked, on every node.
    /// </summary>
    public async Task<(string Password, IReadOnlyList<RegistryTokenRecord> Revoked)> RevokeAllAsync(RegistryRecord registry, AuditActor actor,
        CancellationToken cancellationToken)
    {
        var password = Secrets.NewPassword();
        var revocation = await store.RevokeAllCredentialsAsync(registry.Id, PasswordHasher.Hash(password, PasswordHasher.GeneratedPasswordIterations),
            time.GetUtcNow(), cancellationToken) ?? throw RegistryLifecycle.NotFound(registry.Name);
        generations.Publish(registry.Id, revocation.Generation, previousValidUntil: null);
        foreach (var token in revocation.RevokedTokens)
        {
            verifier.Revoked(token.Id);
        }

        await lifecycle.AuditAsync(registry, actor, "registry.credentials.revoked_all",
            $"password replaced, {revocation.RevokedTokens.Count} access token(s) revoked", cancellationToken);
        return (password, revocation.RevokedTokens);
    }

    /// <summary>Parses the JSON scopes (lowercase <c>pull</c>, <c>push</c>, <c>delete</c>; at least one).</summary>
    public static RepositoryActions ParseScopes(IReadOnlyList<string>? scopes)
    {
        if (scopes is null || scopes.Count == 0 || scopes.Any(s => s is not ("pull" or "push" or "delete")))
        {
            throw Invalid("Invalid scopes", "scopes must list one or more of \"pull\", \"push\", \"delete\".");
        }

        return Scope.ParseActions(scopes);
    }

    public static IReadOnlyList<string> Scopes(RegistryTokenRecord token) => token.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static ManagementException Invalid(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
