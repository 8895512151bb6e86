using Berth.Core.Metadata;

namespace Berth.Registry.Federation;

/// <summary>
/// Checks an OIDC ID token against the federation rules of a registry: the signature (RS256 or ES256 only, with a key
/// of the issuer's JWKS), <c>iss</c> (exactly a rule's issuer), <c>exp</c> and <c>nbf</c> (with <see cref="ClockSkew"/>),
/// then, rule by rule (oldest first), <c>aud</c> and every claim the rule names. The first rule satisfied wins.
/// </summary>
public sealed class IdTokenValidator(IssuerKeys keys, TimeProvider time)
{
    public const string Rs256 = "RS256";
    public const string Es256 = "ES256";

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    public async ValueTask<FederationMatch> ValidateAsync(IdToken token, IReadOnlyList<FederationRuleRecord> rules, CancellationToken cancellationToken)
    {
        // "none", the HMAC family (whose secret would be the issuer's public key) and everything else: refused unread.
        if (token.Algorithm is not (Rs256 or Es256))
        {
            return FederationMatch.Refused($"algorithm {token.Algorithm} is not accepted (RS256 and ES256 are)");
        }

        var issuer = token.Issuer!;
        var candidates = rules.Where(r => r.Issuer == issuer).ToList();
        if (candidates.Count == 0)
        {
            return FederationMatch.Refused($"no federation rule trusts issuer {issuer}");
        }

        var signers = await keys.FindAsync(issuer, token.KeyId, cancellationToken);
        if (signers.Count == 0)
        {
            return FederationMatch.Refused($"the issuer has no signing key {token.KeyId ?? "(none named)"}");
        }

        if (!signers.Any(k => k.Verifies(token.Algorithm, token.SigningInput, token.Signature)))
        {
            return FederationMatch.Refused("the signature does not verify");
        }

        var now = time.GetUtcNow();
        if (token.TimeClaim("exp") is not { } exp)
        {
            return FederationMatch.Refused("the token has no exp");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires + ClockSkew <= now)
        {
            return FederationMatch.Refused("the token has expired");
        }

        if (token.TimeClaim("nbf") is { } nbf && DateTimeOffset.FromUnixTimeSeconds(nbf) - ClockSkew > now)
        {
            return FederationMatch.Refused("the token is not valid yet (nbf)");
        }

        var audienceMatched = false;
        foreach (var rule in candidates)
        {
            if (!token.HasAudience(rule.Audience))
            {
                continue;
            }

            audienceMatched = true;
            if (rule.Claims.All(c => token.ClaimText(c.Key) is { } value && ClaimGlob.Matches(c.Value, value)))
            {
                // The skew granted to exp is granted to what it is exchanged for, so the result is never already over.
                var lifetimeEnd = now + TimeSpan.FromMinutes(rule.TokenLifetimeMinutes);
                var tokenEnd = expires + ClockSkew;
                return new FederationMatch(rule, tokenEnd < lifetimeEnd ? tokenEnd : lifetimeEnd, null);
            }
        }

        return FederationMatch.Refused(audienceMatched ? "the token's claims match no rule" : "the token's audience matches no rule");
    }
}
