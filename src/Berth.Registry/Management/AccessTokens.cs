using System.Security.Claims;
using Berth.Core.Metadata;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>The caller's own personal access tokens: create (the token exists in clear only in the result), list, revoke.</summary>
public sealed class AccessTokens(IUserStore users, UserAuthenticator authenticator, TimeProvider time)
{
    public const int MaxNameLength = 100;

    public const int MaxExpiryDays = 3650;

    /// <exception cref="ManagementException">400 for a missing or long name, or an expiry out of range</exception>
    public async Task<(AccessTokenRecord Record, string Token)> CreateAsync(ClaimsPrincipal caller, string? name, int? expiresInDays,
        CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Name required", $"A token needs a name of 1–{MaxNameLength} characters, e.g. what uses it.");
        }

        if (expiresInDays is < 1 or > MaxExpiryDays)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid expiry", $"expiresInDays must be between 1 and {MaxExpiryDays} (or absent for no expiry).");
        }

        DateTimeOffset? expiresAt = expiresInDays is { } days ? time.GetUtcNow().AddDays(days) : null;
        var (record, token) = authenticator.NewAccessToken(caller.UserId(), trimmed, expiresAt);
        await users.CreateAccessTokenAsync(record, cancellationToken);
        return (record, token);
    }

    /// <summary>Newest first, revoked ones included.</summary>
    public Task<IReadOnlyList<AccessTokenRecord>> ListAsync(ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        users.ListAccessTokensAsync(caller.UserId(), cancellationToken);

    /// <exception cref="ManagementException">404 when the caller has no active token with that id</exception>
    public async Task RevokeAsync(ClaimsPrincipal caller, string id, CancellationToken cancellationToken)
    {
        if (!await users.RevokeAccessTokenAsync(caller.UserId(), id, time.GetUtcNow(), cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Token not found", "You have no active token with that id.");
        }
    }
}
