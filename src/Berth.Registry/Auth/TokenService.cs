using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Registry.Federation;
using Berth.Registry.Hosting;

namespace Berth.Registry.Auth;

/// <summary>
/// Issues and checks the JWTs (HS256) of Docker token auth. Besides the standard claims a token carries the
/// registry id and credential generation it was issued under: checking the generation against
/// <see cref="CredentialGenerations"/> is what revokes every token at once on a password reset.
/// </summary>
public sealed class TokenService(SigningKeys keys, CredentialGenerations generations, UserAuthenticator users, RegistryTokenVerifier registryTokens,
    FederationRules federationRules,
    TimeProvider time, IOptions<BerthOptions> options)
{
    /// <summary>The <c>iss</c> of Berth's own tokens.</summary>
    public const string Issuer = "berth";

    private const int MaxParsedPatterns = 1_000;
    private static readonly byte[] HeaderPrefix = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT","kid":""");

    private readonly AuthOptions _options = options.Value.Auth;

    // Repository patterns travel in tokens as text: each distinct list is compiled once, not on every request.
    private readonly ConcurrentDictionary<string, RepositoryPatterns?> _patterns = new(StringComparer.Ordinal);

    public TimeSpan AccessTokenLifetime => _options.TokenLifetime;

    /// <remarks>A federated principal's token lasts as long as its sign-in (<see cref="RegistryPrincipal.ValidUntil"/>).</remarks>
    public IssuedToken IssueAccessToken(RegistryPrincipal principal, IReadOnlyList<AccessGrant> access) =>
        Issue(principal, access, TokenKind.Access, principal.ValidUntil is { } until ? until - time.GetUtcNow() : _options.TokenLifetime);

    public IssuedToken IssueRefreshToken(RegistryPrincipal principal) =>
        Issue(principal, [], TokenKind.Refresh, _options.RefreshTokenLifetime);

    /// <summary>
    /// A registry token for a federated sign-in: the principal's actions on every repository it may touch, until the
    /// principal's <see cref="RegistryPrincipal.ValidUntil"/>. A bearer token on /v2, and a password at /auth/token.
    /// </summary>
    public IssuedToken IssueRegistryToken(RegistryPrincipal principal) =>
        Issue(principal, null, TokenKind.Access, principal.ValidUntil is { } until ? until - time.GetUtcNow() : _options.TokenLifetime);

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

        // And those of a federated sign-in with their rule.
        if (claims.FederationRuleId is not null && !await federationRules.IsAliveAsync(claims.FederationRuleId, cancellationToken))
        {
            return null;
        }

        var principal = claims.AccessTokenId is null
            ? new RegistryPrincipal(claims.RegistryId, claims.Subject, claims.Generation, claims.Access ?? [])
            : new RegistryPrincipal(claims.RegistryId, claims.RegistryName ?? "", claims.Generation, claims.Access ?? [],
                RepositoryActions.None, claims.Subject, claims.AccessTokenId);
        if (claims.WholeRegistry is { } wholeRegistry)
        {
            principal = principal with { Grants = null, WholeRegistry = Scope.ParseActions(wholeRegistry.Split(',')) };
        }

        if (claims.Repositories is { Count: > 0 } patterns)
        {
            // Signed by Berth from patterns it checked, so they parse; were they ever not to, the token would be refused.
            if (Patterns(patterns) is not { } repositories)
            {
                return null;
            }

            principal = principal with { Repositories = repositories };
        }

        if (claims.FederationRuleId is not null)
        {
            principal = principal with { FederationRuleId = claims.FederationRuleId, ValidUntil = DateTimeOffset.FromUnixTimeSeconds(claims.Expires) };
        }

        return claims.Expires <= now ? principal with { TokenExpiredAt = DateTimeOffset.FromUnixTimeSeconds(claims.Expires) } : principal;
    }

    /// <param name="access">The grants; null for a registry token (<see cref="IssueRegistryToken"/>).</param>
    private IssuedToken Issue(RegistryPrincipal principal, IReadOnlyList<AccessGrant>? access, TokenKind kind, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        if (principal.ValidUntil is { } validUntil && validUntil - now < lifetime)
        {
            lifetime = validUntil - now;
        }

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
            Access = access is null ? null : [.. access],
            WholeRegistry = access is null ? Scope.FormatActions(principal.WholeRegistry) : null,
            Repositories = principal.Repositories is { } repositories ? [.. repositories.Patterns] : null,
            FederationRuleId = principal.FederationRuleId,
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

    private RepositoryPatterns? Patterns(List<string> patterns)
    {
        var key = string.Join('\n', patterns);
        if (_patterns.TryGetValue(key, out var parsed))
        {
            return parsed;
        }

        if (_patterns.Count >= MaxParsedPatterns)
        {
            _patterns.Clear();
        }

        return _patterns[key] = RepositoryPatterns.TryParse(patterns, out parsed, out _) ? parsed : null;
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
