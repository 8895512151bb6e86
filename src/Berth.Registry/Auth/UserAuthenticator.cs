using System.Net;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;

namespace Berth.Registry.Auth;

/// <summary>
/// Verifies dashboard/API users: a password (slow hash, then remembered for a minute in a
/// <see cref="VerificationCache{T}"/>, valid only while the user's security stamp is unchanged; the replaced password
/// is recognised and answered with when it was changed) or a personal access token
/// (<c>berth_pat_&lt;id&gt;_&lt;secret&gt;</c>: one indexed lookup and a constant-time compare of SHA-256 hashes, so
/// revocation is immediate).
/// </summary>
public sealed class UserAuthenticator(IUserStore users, LoginThrottle throttle, Observability.BerthMetrics metrics, TimeProvider time)
{
    public const string AccessTokenPrefix = "berth_pat_";

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Secrets.NewPassword()));

    private readonly VerificationCache<UserRecord> _cache = new(time, TimeSpan.FromMinutes(1));

    /// <summary>The user whose password this is, else null.</summary>
    /// <exception cref="LoginRefusedException">the client must wait (429), or sent the replaced password (401)</exception>
    public async ValueTask<UserRecord?> VerifyPasswordAsync(string username, string password, IPAddress? client, CancellationToken cancellationToken)
    {
        var attempt = new LoginAttempt(LoginAttempt.User, username, client);
        var key = _cache.Key(username, password);
        if (_cache.Get(key) is { } cached)
        {
            var current = await users.GetUserByIdAsync(cached.Id, cancellationToken);
            if (current is not null && current.SecurityStamp == cached.Version)
            {
                return cached.Account is null ? throw Replaced(attempt, cached.ReplacedAt!.Value) : current;
            }

            _cache.Forget(key);
        }

        var state = await throttle.CheckAsync(attempt, cancellationToken);
        var user = await users.GetUserAsync(username, cancellationToken);
        metrics.PasswordVerified("user");
        if (!PasswordHasher.Verify(password, user?.PasswordHash ?? DummyHash.Value) || user is null)
        {
            if (user is { PasswordChangedAt: { } changedAt } && throttle.IsPreviousPassword(password, user.PreviousPasswordHash, changedAt))
            {
                metrics.PasswordVerified("user");
                _cache.Remember(key, null, user.Id, user.SecurityStamp, changedAt);
                throw Replaced(attempt, changedAt);
            }

            await throttle.RecordFailureAsync(attempt, user is null ? "unknown_account" : "wrong_password", cancellationToken);
            return null;
        }

        await throttle.RecordSuccessAsync(attempt, state, cancellationToken);
        if (PasswordHasher.NeedsRehash(user.PasswordHash))
        {
            // Only now is the plaintext at hand to bring a hash made at an older, cheaper cost up to the current one.
            await users.UpgradeUserPasswordHashAsync(user.Id, user.PasswordHash, PasswordHasher.Hash(password), cancellationToken);
        }

        _cache.Remember(key, user, user.Id, user.SecurityStamp, null);
        return user;
    }

    private LoginRefusedException Replaced(LoginAttempt attempt, DateTimeOffset changedAt)
    {
        throttle.RecordPreviousPassword(attempt, changedAt);
        return LoginRefusedException.PasswordReplaced(changedAt);
    }

    /// <summary>The owner of a valid (known, unrevoked, unexpired) access token, else null.</summary>
    public async ValueTask<UserRecord?> VerifyAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (ParseAccessToken(token) is not { } parsed)
        {
            return null;
        }

        var record = await users.GetAccessTokenAsync(parsed.Id, cancellationToken);
        var now = time.GetUtcNow();
        if (record is null || record.RevokedAt is not null || record.ExpiresAt <= now ||
            !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(record.SecretHash), SHA256.HashData(Encoding.UTF8.GetBytes(parsed.Secret))))
        {
            return null;
        }

        if (record.LastUsedAt is null || now - record.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await users.TouchAccessTokenAsync(record.Id, now, cancellationToken);
        }

        return await users.GetUserByIdAsync(record.UserId, cancellationToken);
    }

    /// <summary>A new token for the user: the record to store, and the token itself, shown once.</summary>
    public (AccessTokenRecord Record, string Token) NewAccessToken(string userId, string name, DateTimeOffset? expiresAt)
    {
        var id = Secrets.NewId()[..16];
        var secret = Convert.ToHexStringLower(Secrets.NewKey());
        var record = new AccessTokenRecord(id, userId, name, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
            time.GetUtcNow(), expiresAt, null, null);
        return (record, $"{AccessTokenPrefix}{id}_{secret}");
    }

    public static bool LooksLikeAccessToken(string value) => value.StartsWith(AccessTokenPrefix, StringComparison.Ordinal);

    public static string? AccessTokenId(string token) => ParseAccessToken(token)?.Id;

    /// <summary>True while the access token exists, is not revoked and has not expired (bearer tokens derived from it check this).</summary>
    public async ValueTask<bool> IsAccessTokenActiveAsync(string tokenId, CancellationToken cancellationToken)
    {
        var record = await users.GetAccessTokenAsync(tokenId, cancellationToken);
        return record is not null && record.RevokedAt is null && !(record.ExpiresAt <= time.GetUtcNow());
    }

    private static (string Id, string Secret)? ParseAccessToken(string token)
    {
        if (!LooksLikeAccessToken(token))
        {
            return null;
        }

        var rest = token[AccessTokenPrefix.Length..];
        var separator = rest.IndexOf('_', StringComparison.Ordinal);
        return separator is > 0 and < 64 && rest.Length - separator - 1 == 64
            ? (rest[..separator], rest[(separator + 1)..])
            : null;
    }
}
