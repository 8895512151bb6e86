using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Registry.Hosting;

namespace Berth.Registry.Auth;

/// <summary>
/// Issues and checks the JWTs (HS256) of Docker token auth. Besides the standard claims a token carries the
/// registry id and credential generation it was issued under: checking the generation against
/// <see cref="CredentialGenerations"/> is what revokes every token at once on a password reset.
/// </summary>
public sealed class TokenService(SigningKeys keys, CredentialGenerations generations, UserAuthenticator users, RegistryTokenVerifier registryTokens,
    TimeProvider time, IOptions<BerthOptions> options)
{
    private const string Issuer = "berth";
    private static readonly byte[] HeaderPrefix = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT","kid":""");

    private readonly AuthOptions _options = options.Value.Auth;

    public TimeSpan AccessTokenLifetime => _options.TokenLifetime;

    public IssuedToken IssueAccessToken(RegistryPrincipal principal, IReadOnlyList<AccessGrant> access) =>
        Issue(principal, access, TokenKind.Access, _options.TokenLifetime);

    public IssuedToken IssueRefreshToken(RegistryPrincipal principal) =>
        Issue(principal, [], TokenKind.Refresh, _options.RefreshTokenLifetime);

    /// <summary>
    /// Validates signature, kind, lifetime and revocation. With <paramref name="allowExpired"/> an expired but
    /// otherwise valid token passes (used for upload sessions, which must outlive short tokens), its principal marked
    /// with <see cref="RegistryPrincipal.TokenExpiredAt"/>.
    /// </summary>
    public async ValueTask<RegistryPrincipal?> ValidateAsync(string token, TokenKind kind, bool allowExpired, CancellationToken cancellationToken)
    {
        var claims = ReadVerified(token);
        if (claims is null || claims.Kind != kind || claims.Audience != _options.Service || claims.RegistryId is null || claims.Subject is null ||
            (claims.RegistryId.Length == 0 && claims.AccessTokenId is null))
        {
            return null;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (claims.NotBefore > now + 60 || (!allowExpired && claims.Expires <= now))
        {
            return null;
        }

        // Tokens issued from a registry access token live and die with it, not with the password (a reset spares them).
        if (claims.RegistryTokenId is not null)
        {
            var issuer = await registryTokens.ActiveAsync(claims.RegistryTokenId, claims.RegistryId, cancellationToken);
            if (issuer is null)
            {
                return null;
            }

            var fromToken = issuer with { Grants = claims.Access ?? [] };
            return claims.Expires <= now ? fromToken with { TokenExpiredAt = DateTimeOffset.FromUnixTimeSeconds(claims.Expires) } : fromToken;
        }

        if (claims.RegistryId.Length > 0 && !await generations.IsCurrentAsync(claims.RegistryId, claims.Generation, cancellationToken))
        {
            return null;
        }

        // Tokens issued to a user's access token die with it (a revoke takes effect at the next request).
        if (claims.AccessTokenId is not null && !await users.IsAccessTokenActiveAsync(claims.AccessTokenId, cancellationToken))
        {
            return null;
        }

        var principal = claims.AccessTokenId is null
            ? new RegistryPrincipal(claims.RegistryId, claims.Subject, claims.Generation, claims.Access ?? [])
            : new RegistryPrincipal(claims.RegistryId, claims.RegistryName ?? "", claims.Generation, claims.Access ?? [],
                RepositoryActions.None, claims.Subject, claims.AccessTokenId);
        return claims.Expires <= now ? principal with { TokenExpiredAt = DateTimeOffset.FromUnixTimeSeconds(claims.Expires) } : principal;
    }

    private IssuedToken Issue(RegistryPrincipal principal, IReadOnlyList<AccessGrant> access, TokenKind kind, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var claims = new TokenClaims
        {
            Issuer = Issuer,
            Subject = principal.Subject,
            RegistryName = principal.UserName is null ? null : principal.RegistryName,
            AccessTokenId = principal.AccessTokenId,
            RegistryTokenId = principal.RegistryTokenId,
            Audience = _options.Service,
            IssuedAt = now.ToUnixTimeSeconds(),
            NotBefore = now.ToUnixTimeSeconds(),
            Expires = (now + lifetime).ToUnixTimeSeconds(),
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Access = [.. access],
            RegistryId = principal.RegistryId,
            Generation = principal.Generation,
            Kind = kind,
        };

        var key = keys.Current;
        var header = Base64Url.EncodeToString([.. HeaderPrefix, .. Encoding.UTF8.GetBytes($"\"{key.Id}\"}}")]);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims, TokenJsonContext.Default.TokenClaims));
        var signingInput = header + "." + payload;
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes(signingInput)));
        return new IssuedToken(signingInput + "." + signature, now, lifetime);
    }

    private TokenClaims? ReadVerified(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot || token.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            var header = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token.AsSpan(0, firstDot)), TokenJsonContext.Default.TokenHeader);
            if (header is null || header.Algorithm != "HS256" || keys.Find(header.KeyId) is not { } key)
            {
                return null;
            }

            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes(token, 0, lastDot), expected);
            var signature = Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1));
            if (!CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                return null;
            }

            return JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, lastDot - firstDot - 1)), TokenJsonContext.Default.TokenClaims);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
