using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;

namespace Berth.Registry.Auth;

/// <summary>
/// Verifies registry credentials (username = registry name). A password is checked against its slow hash once; the
/// outcome is then remembered for a few minutes (<see cref="VerificationCache{T}"/>) with the credential generation
/// it was valid for, so a reset revokes it at once. A password verified before keeps working while someone else is
/// throttled; the password a reset replaced is recognised and answered with when it was replaced, or, while the
/// reset's overlap lasts, accepted as the previous generation (cached the same way).
/// </summary>
public sealed class CredentialVerifier(
    ITenantStore store,
    CredentialGenerations generations,
    LoginThrottle throttle,
    BerthMetrics metrics,
    TimeProvider time,
    IOptions<BerthOptions> options)
{
    // A dummy hash keeps the timing of "no such user" close to "wrong password".
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Secrets.NewPassword(), PasswordHasher.GeneratedPasswordIterations));

    private readonly VerificationCache<RegistryPrincipal> _cache = new(time, options.Value.Auth.BasicCacheLifetime);

    /// <summary>The principal of a correct username and password, else null.</summary>
    /// <exception cref="LoginRefusedException">the client must wait (429), or sent the replaced password (401)</exception>
    public async ValueTask<RegistryPrincipal?> VerifyAsync(string username, string password, System.Net.IPAddress? client, CancellationToken cancellationToken)
    {
        var attempt = new LoginAttempt(LoginAttempt.Registry, username, client);
        var key = _cache.Key(username, password);
        if (_cache.Get(key) is { } cached)
        {
            if (await generations.IsCurrentAsync(cached.Id, cached.Version, cancellationToken))
            {
                return cached.Account ?? throw Replaced(attempt, cached.ReplacedAt!.Value);
            }

            _cache.Forget(key);
        }

        var state = await throttle.CheckAsync(attempt, cancellationToken);
        var credential = await store.GetCredentialAsync(username, cancellationToken);
        metrics.PasswordVerified("registry");
        var generation = credential?.Generation ?? 0;
        if (!PasswordHasher.Verify(password, credential?.PasswordHash ?? DummyHash.Value) || credential is null)
        {
            // During a reset's overlap the replaced password still works, as the previous generation (so it, its cached
            // verification and its tokens all stop together when the overlap ends or is revoked).
            var inOverlap = credential?.PreviousPasswordValidUntil > time.GetUtcNow();
            if (inOverlap && credential is { PreviousPasswordHash: { } previousHash } && VerifyAgain(password, previousHash))
            {
                generation = credential.Generation - 1;
            }
            else if (!inOverlap && credential is { PasswordReplacedAt: { } replacedAt } && throttle.IsPreviousPassword(password, credential.PreviousPasswordHash, replacedAt))
            {
                metrics.PasswordVerified("registry");
                _cache.Remember(key, null, credential.RegistryId, credential.Generation, replacedAt);
                throw Replaced(attempt, replacedAt);
            }
            else
            {
                await throttle.RecordFailureAsync(attempt, credential is null ? "unknown_account" : "wrong_password", cancellationToken);
                return null;
            }
        }

        await throttle.RecordSuccessAsync(attempt, state, cancellationToken);

        // The store's generation may be newer than what this node has seen; the store is the truth.
        generations.Publish(credential.RegistryId, credential.Generation, credential.PreviousPasswordValidUntil);
        var principal = new RegistryPrincipal(credential.RegistryId, credential.Username, generation, Grants: null);
        _cache.Remember(key, principal, credential.RegistryId, generation, null);
        return principal;
    }

    private bool VerifyAgain(string password, string hash)
    {
        metrics.PasswordVerified("registry");
        return PasswordHasher.Verify(password, hash);
    }

    private LoginRefusedException Replaced(LoginAttempt attempt, DateTimeOffset replacedAt)
    {
        throttle.RecordPreviousPassword(attempt, replacedAt);
        return LoginRefusedException.PasswordReplaced(replacedAt);
    }
}
