using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;

namespace Berth.Registry.Auth;

/// <summary>
/// Verifies registry credentials (username = registry name). A password is checked against its slow hash
/// once; the success is then remembered under a keyed hash of username and password (never the password
/// itself) for a few minutes, together with the credential generation it was valid for, so a reset
/// revokes the cached verification at once.
/// </summary>
public sealed class CredentialVerifier(
    ITenantStore store,
    CredentialGenerations generations,
    LoginThrottle throttle,
    BerthMetrics metrics,
    TimeProvider time,
    IOptions<BerthOptions> options)
{
    private const int MaxCachedEntries = 10_000;

    // A dummy hash keeps the timing of "no such user" close to "wrong password".
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Secrets.NewPassword(), PasswordHasher.GeneratedPasswordIterations));

    private readonly byte[] _cacheKey = Secrets.NewKey();
    private readonly ConcurrentDictionary<string, CachedVerification> _cache = new(StringComparer.Ordinal);
    private readonly TimeSpan _cacheLifetime = options.Value.Auth.BasicCacheLifetime;

    /// <summary>
    /// The principal of a correct username and password, else null. A password already verified (and not revoked)
    /// passes even during a lockout, so an attacker guessing can't lock out the real user's running pulls.
    /// </summary>
    /// <exception cref="LoginThrottledException">too many failures for this username or client address</exception>
    public async ValueTask<RegistryPrincipal?> VerifyAsync(string username, string password, System.Net.IPAddress? client, CancellationToken cancellationToken)
    {
        var key = CacheKey(username, password);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            if (await generations.IsCurrentAsync(cached.Principal.RegistryId, cached.Principal.Generation, cancellationToken))
            {
                return cached.Principal;
            }

            _cache.TryRemove(key, out _);
        }

        if (throttle.RetryAfter(username, client) is { } wait)
        {
            throw new LoginThrottledException(wait);
        }

        var credential = await store.GetCredentialAsync(username, cancellationToken);
        metrics.PasswordVerified("registry");
        if (!PasswordHasher.Verify(password, credential?.PasswordHash ?? DummyHash.Value) || credential is null)
        {
            throttle.RecordFailure(username, client);
            return null;
        }

        throttle.RecordSuccess(username);

        // The store's generation may be newer than what this node has seen; the store is the truth.
        generations.Publish(credential.RegistryId, credential.Generation);
        var principal = new RegistryPrincipal(credential.RegistryId, credential.Username, credential.Generation, Grants: null);
        if (_cacheLifetime > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxCachedEntries)
            {
                _cache.Clear();
            }

            _cache[key] = new CachedVerification(principal, now + _cacheLifetime);
        }

        return principal;
    }

    private string CacheKey(string username, string password)
    {
        var material = Encoding.UTF8.GetBytes(username + "\0" + password);
        return Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, material));
    }

    private sealed record CachedVerification(RegistryPrincipal Principal, DateTimeOffset ExpiresAt);
}
