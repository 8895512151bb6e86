using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;

namespace Berth.Registry.Auth;

/// <summary>
/// Verifies registry credentials (username = registry name). A password is checked against its slow hash once; the
/// outcome is then remembered for a few minutes (<see cref="VerificationCache{T}"/>) with the credential generation
/// it was valid for, so a reset revokes it at once. A password verified before keeps working while someone else is
/// throttled; the password a reset replaced is recognised and answered with when it was replaced.
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
        if (!PasswordHasher.Verify(password, credential?.PasswordHash ?? DummyHash.Value) || credential is null)
        {
            if (credential is { PasswordReplacedAt: { } replacedAt } && throttle.IsPreviousPassword(password, credential.PreviousPasswordHash, replacedAt))
            {
                metrics.PasswordVerified("registry");
                _cache.Remember(key, null, credential.RegistryId, credential.Generation, replacedAt);
                throw Replaced(attempt, replacedAt);
            }

            await throttle.RecordFailureAsync(attempt, credential is null ? "unknown_account" : "wrong_password", cancellationToken);
            return null;
        }

        await throttle.RecordSuccessAsync(attempt, state, cancellationToken);

        // The store's generation may be newer than what this node has seen; the store is the truth.
        generations.Publish(credential.RegistryId, credential.Generation);
        var principal = new RegistryPrincipal(credential.RegistryId, credential.Username, credential.Generation, Grants: null);
        _cache.Remember(key, principal, credential.RegistryId, credential.Generation, null);
        return principal;
    }

    private LoginRefusedException Replaced(LoginAttempt attempt, DateTimeOffset replacedAt)
    {
        throttle.RecordPreviousPassword(attempt, replacedAt);
        return LoginRefusedException.PasswordReplaced(replacedAt);
    }
}
