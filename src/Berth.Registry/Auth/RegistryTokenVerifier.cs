using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;

namespace Berth.Registry.Auth;

/// <summary>
/// Verifies registry access tokens (<c>berth_rt_&lt;id&gt;_&lt;secret&gt;</c>, sent as the password with the registry's
/// name as username). The prefix says it is a token, so no password hash is tried; the id finds it. Tokens are held in
/// memory once loaded, so the hot path makes no query: a constant-time compare of SHA-256 hashes, then expiry. A revoked
/// token becomes a tombstone that no later load can replace (revocation is final), whether revoked here or on another
/// node (<see cref="CredentialChangeListener"/>). Failed attempts go through <see cref="LoginThrottle"/> like passwords;
/// a revoked or expired token is a stale client, like a replaced password: refused, never counted.
/// </summary>
public sealed partial class RegistryTokenVerifier(
    IRegistryTokenStore store,
    ITenantStore tenants,
    IAuditStore audit,
    CredentialGenerations generations,
    LoginThrottle throttle,
    Observability.BerthMetrics metrics,
    TimeProvider time,
    IOptions<Hosting.BerthOptions> options,
    ILogger<RegistryTokenVerifier> logger)
{
    public const string Prefix = "berth_rt_";

    // Use is written at most this often per token and node, so steady pulls cost no writes.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 10_000;
    private const int SecretLength = 64;

    private const string WrongToken = "wrong_token";
    private const string RevokedToken = "revoked_token";
    private const string ExpiredToken = "expired_token";

    private static readonly Entry Tombstone = new(null, [], null, RepositoryActions.None);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public static bool LooksLikeToken(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A new token of a registry: the record to store, and the token itself, shown once.</summary>
    public static (RegistryTokenRecord Record, string Token) NewToken(string registryId, string name, RepositoryActions scopes,
        IReadOnlyList<string> repositories, DateTimeOffset createdAt, string? createdBy, DateTimeOffset? expiresAt)
    {
        var id = Secrets.NewId()[..16];
        var secret = Convert.ToHexStringLower(Secrets.NewKey());
        var record = new RegistryTokenRecord(id, registryId, name, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
            Scope.FormatActions(scopes), repositories, createdAt, createdBy, expiresAt, null, null, null);
        return (record, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The principal of a valid token of the registry named <paramref name="username"/>, else null.</summary>
    /// <exception cref="LoginRefusedException">the client must wait (429)</exception>
    public async ValueTask<RegistryPrincipal?> VerifyAsync(string username, string token, IPAddress? client, CancellationToken cancellationToken)
    {
        var attempt = new LoginAttempt(LoginAttempt.Registry, username, client);
        var parsed = Parse(token);

        // The hot path makes no query, unless someone sent this token's id with a wrong secret lately: then every
        // attempt goes through the throttle, so the one guessing waits even when the guess is right.
        if (parsed is { } p && _entries.TryGetValue(p.Id, out var cached) && Interlocked.Read(ref cached.SuspectUntilTicks) <= time.GetUtcNow().UtcTicks)
        {
            var outcome = await CheckAsync(cached, username, p.Secret, cancellationToken);
            if (outcome is null)
            {
                return await SignedInAsync(cached, client, cancellationToken);
            }

            if (IsStale(outcome))
            {
                Stale(attempt, outcome);
                return null;
            }
        }

        var state = await throttle.CheckAsync(attempt, cancellationToken);
        var entry = parsed is { } q ? await GetAsync(q.Id, cancellationToken) : null;
        var failure = entry is null ? "unknown_token" : await CheckAsync(entry, username, parsed!.Value.Secret, cancellationToken);
        if (failure is not null && IsStale(failure))
        {
            Stale(attempt, failure);
            return null;
        }

        if (failure is not null)
        {
            if (failure == WrongToken)
            {
                Interlocked.Exchange(ref entry!.SuspectUntilTicks, (time.GetUtcNow() + options.Value.Auth.FailedLoginMemory).UtcTicks);
            }

            await throttle.RecordFailureAsync(attempt, failure, cancellationToken);
            return null;
        }

        await throttle.RecordSuccessAsync(attempt, state, cancellationToken);
        return await SignedInAsync(entry!, client, cancellationToken);
    }

    /// <summary>
    /// The principal of a token that is still valid (known, unrevoked, unexpired, its registry not deleted), for the
    /// bearer and refresh tokens issued from it, which die with it; else null.
    /// </summary>
    public async ValueTask<RegistryPrincipal?> ActiveAsync(string tokenId, string registryId, CancellationToken cancellationToken)
    {
        var entry = await GetAsync(tokenId, cancellationToken);
        return entry?.Credential is { } credential && credential.Token.RegistryId == registryId && !Expired(credential.Token) &&
            await generations.ExistsAsync(registryId, cancellationToken)
            ? Principal(entry)
            : null;
    }

    /// <summary>A token was revoked (here or on another node): it fails from now on, whatever is loaded later.</summary>
    public void Revoked(string tokenId) => _entries[tokenId] = Tombstone;

    /// <summary>Forgets every loaded token (not the tombstones), so each is read again (when changes may have been missed).</summary>
    public void ForgetAll()
    {
        foreach (var (id, entry) in _entries)
        {
            if (entry.Credential is not null)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
            }
        }
    }

    private async ValueTask<Entry?> GetAsync(string tokenId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(tokenId, out var entry))
        {
            return entry;
        }

        var credential = await store.GetRegistryTokenAsync(tokenId, cancellationToken);
        if (credential is null)
        {
            // Unknown (or its registry deleted): not remembered, so guessed ids can't fill the memory.
            return null;
        }

        if (credential.Token.RevokedAt is not null)
        {
            entry = Tombstone;
        }
        else if (!RepositoryPatterns.TryParse(credential.Token.Repositories, out var patterns, out _))
        {
            // Stored patterns were valid when written; one that no longer parses grants nothing rather than everything.
            entry = Tombstone;
        }
        else
        {
            entry = new Entry(credential, Convert.FromHexString(credential.Token.SecretHash), patterns,
                Scope.ParseActions(credential.Token.Scopes.Split(',')));
        }

        if (_entries.Count >= MaxEntries)
        {
            ForgetAll();
        }

        // A revocation that arrived while this was loading wins: a tombstone is never replaced.
        return _entries.AddOrUpdate(tokenId, entry, (_, existing) => existing.Credential is null ? existing : entry);
    }

    /// <summary>Null when the token is valid for <paramref name="username"/>, else why not.</summary>
    private async ValueTask<string?> CheckAsync(Entry entry, string username, string secret, CancellationToken cancellationToken)
    {
        if (entry.Credential is not { } credential)
        {
            return RevokedToken;
        }

        if (!CryptographicOperations.FixedTimeEquals(entry.SecretHash, SHA256.HashData(Encoding.UTF8.GetBytes(secret))) ||
            credential.RegistryName != username)
        {
            return WrongToken;
        }

        if (Expired(credential.Token))
        {
            return ExpiredToken;
        }

        return await generations.ExistsAsync(credential.Token.RegistryId, cancellationToken) ? null : "unknown_account";
    }

    /// <summary>A revoked or expired token: a stale client (like one sending a replaced password), never a guess, so never throttled.</summary>
    private static bool IsStale(string failure) => failure is RevokedToken or ExpiredToken;

    private void Stale(LoginAttempt attempt, string reason)
    {
        metrics.LoginFailed(attempt.Kind, reason);
        LogStale(logger, attempt.Username, attempt.Address, reason);
    }

    private bool Expired(RegistryTokenRecord token) => token.ExpiresAt <= time.GetUtcNow();

    private async ValueTask<RegistryPrincipal> SignedInAsync(Entry entry, IPAddress? client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref entry.NextTouchTicks);
        if (now.UtcTicks >= next && Interlocked.CompareExchange(ref entry.NextTouchTicks, (now + TouchInterval).UtcTicks, next) == next)
        {
            var token = entry.Credential!.Token;
            var from = client is null ? null : LoginAttempt.Normalize(client);
            if (await store.TouchRegistryTokenAsync(token.Id, now, from, cancellationToken) &&
                await tenants.GetRegistryByIdAsync(token.RegistryId, cancellationToken) is { } registry)
            {
                LogFirstUse(logger, token.Id, registry.Name, from);
                await audit.AppendAuditAsync(new AuditEvent(now, registry.Name, "registry.token.first_used", registry.ProjectId, registry.ProjectName,
                    registry.Id, registry.Name, client?.ToString(), $"token '{token.Name}' ({token.Id})"), cancellationToken);
            }
        }

        return Principal(entry);
    }

    private static RegistryPrincipal Principal(Entry entry)
    {
        var credential = entry.Credential!;
        return new RegistryPrincipal(credential.Token.RegistryId, credential.RegistryName, 0, Grants: null, entry.Actions)
        {
            Repositories = entry.Patterns,
            RegistryTokenId = credential.Token.Id,
        };
    }

    private static (string Id, string Secret)? Parse(string token)
    {
        if (!LooksLikeToken(token))
        {
            return null;
        }

        var rest = token.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        return separator is > 0 and < 64 && rest.Length - separator - 1 == SecretLength
            ? (rest[..separator].ToString(), rest[(separator + 1)..].ToString())
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token {TokenId} of registry {Registry} used for the first time, from {Address}")]
    private static partial void LogFirstUse(ILogger logger, string tokenId, string registry, string? address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login for registry {Username} from {Address} with an access token refused ({Reason}): a stale client, not counted toward throttling")]
    private static partial void LogStale(ILogger logger, string username, string address, string reason);

    /// <param name="credential">The token, or null for a tombstone (revoked: final).</param>
    private sealed class Entry(RegistryTokenCredential? credential, byte[] secretHash, RepositoryPatterns? patterns, RepositoryActions actions)
    {
        public RegistryTokenCredential? Credential { get; } = credential;

        public byte[] SecretHash { get; } = secretHash;

        public RepositoryPatterns? Patterns { get; } = patterns;

        public RepositoryActions Actions { get; } = actions;

        public long NextTouchTicks;

        /// <summary>Until when attempts with this token go through the throttle (a wrong secret was sent with its id).</summary>
        public long SuspectUntilTicks;
    }
}
