using System.Collections.Concurrent;
using System.Net;
using Berth.Core.Metadata;
using Berth.Registry.Federation;
using Berth.Registry.Hosting;

namespace Berth.Registry.Auth;

/// <summary>
/// Sign-in with a token as the password and the registry's name as the username: an OIDC ID token that one of the
/// registry's federation rules trusts (workload identity federation), or a registry token Berth issued for one
/// (<c>POST /auth/federation/token</c>). The principal gets the rule's scopes on its repositories until the sooner of
/// the ID token's expiry and the rule's token lifetime. Failures count toward login throttling like wrong passwords;
/// a verified ID token is remembered like a verified password, still dying at once with its rule or a reset.
/// </summary>
public sealed partial class FederatedSignIn(
    ITenantStore tenants,
    IFederationStore store,
    IdTokenValidator validator,
    FederationRules rules,
    TokenService tokens,
    CredentialGenerations generations,
    LoginThrottle throttle,
    IAuditStore audit,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<FederatedSignIn> logger)
{
    // A rule's last use is written at most this often per node: it is informational.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly VerificationCache<RegistryPrincipal> _cache = new(time, options.Value.Auth.BasicCacheLifetime);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="password"/> is a token (three-part, with an issuer) to sign in with here.</summary>
    public static bool IsToken(string password) => IdToken.TryParse(password) is not null;

    /// <summary>The principal the token signs in as, else null.</summary>
    /// <param name="idTokenOnly">Refuse Berth's own registry tokens (the exchange takes ID tokens only).</param>
    /// <exception cref="LoginRefusedException">the client must wait (429)</exception>
    public async ValueTask<RegistryPrincipal?> SignInAsync(string registryName, string password, IPAddress? client, bool idTokenOnly,
        CancellationToken cancellationToken)
    {
        if (IdToken.TryParse(password) is not { } token)
        {
            return null;
        }

        var key = _cache.Key(registryName, password);
        if (_cache.Get(key) is { Account: { } cached } entry)
        {
            if (await generations.IsCurrentAsync(entry.Id, entry.Version, cancellationToken) &&
                await rules.IsAliveAsync(cached.FederationRuleId!, cancellationToken) && cached.ValidUntil > time.GetUtcNow())
            {
                return cached;
            }

            _cache.Forget(key);
        }

        var attempt = new LoginAttempt(LoginAttempt.Registry, registryName, client);
        var state = await throttle.CheckAsync(attempt, cancellationToken);
        var (principal, failure) = token is { Algorithm: "HS256", Issuer: TokenService.Issuer }
            ? await RegistryTokenAsync(registryName, password, idTokenOnly, cancellationToken)
            : await IdTokenAsync(registryName, token, client, cancellationToken);
        if (principal is null)
        {
            await throttle.RecordFailureAsync(attempt, "federation: " + failure, cancellationToken);
            return null;
        }

        await throttle.RecordSuccessAsync(attempt, state, cancellationToken);
        if (token.Issuer != TokenService.Issuer)
        {
            _cache.Remember(key, principal, principal.RegistryId, principal.Generation, null);
        }

        return principal;
    }

    private async ValueTask<(RegistryPrincipal? Principal, string? Failure)> RegistryTokenAsync(string registryName, string token, bool idTokenOnly,
        CancellationToken cancellationToken)
    {
        if (idTokenOnly)
        {
            return (null, "a registry token is not an ID token");
        }

        // Only the registry tokens of federated sign-ins are passwords; other bearer tokens are not.
        var principal = await tokens.ValidateAsync(token, TokenKind.Access, allowExpired: false, cancellationToken);
        return principal is { FederationRuleId: not null, Grants: null } && principal.RegistryName == registryName
            ? (principal, null)
            : (null, "not a valid registry token of this registry");
    }

    private async ValueTask<(RegistryPrincipal? Principal, string? Failure)> IdTokenAsync(string registryName, IdToken token, IPAddress? client,
        CancellationToken cancellationToken)
    {
        if (await tenants.GetCredentialAsync(registryName, cancellationToken) is not { } credential)
        {
            return (null, "unknown registry");
        }

        var match = await validator.ValidateAsync(token, await store.ListFederationRulesAsync(credential.RegistryId, cancellationToken), cancellationToken);
        if (match.Rule is not { } rule)
        {
            return (null, match.Failure);
        }

        // Checked when the rule was made; a rule whose patterns no longer parse signs no one in.
        if (!Core.Distribution.RepositoryPatterns.TryParse(rule.Repositories, out var repositories, out _))
        {
            return (null, "the rule's repository patterns are invalid");
        }

        // The store's generation may be newer than what this node has seen; the store is the truth.
        generations.Publish(credential.RegistryId, credential.Generation, credential.PreviousPasswordValidUntil);
        var principal = new RegistryPrincipal(credential.RegistryId, credential.Username, credential.Generation, Grants: null,
            Scope.ParseActions(rule.Scopes))
        {
            Repositories = repositories,
            FederationRuleId = rule.Id,
            ValidUntil = match.ValidUntil,
        };
        LogSignedIn(logger, registryName, rule.Name, token.Subject ?? "(no sub)", match.ValidUntil);
        await TouchAsync(rule, registryName, token, client, cancellationToken);
        return (principal, null);
    }

    private async ValueTask TouchAsync(FederationRuleRecord rule, string registryName, IdToken token, IPAddress? client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_touched.TryGetValue(rule.Id, out var last) && now - last < TouchInterval)
        {
            return;
        }

        if (_touched.Count > 10_000)
        {
            _touched.Clear();
        }

        _touched[rule.Id] = now;
        if (await store.TouchFederationRuleAsync(rule.Id, now, cancellationToken) &&
            await tenants.GetRegistryAsync(registryName, cancellationToken) is { } registry)
        {
            await audit.AppendAuditAsync(new AuditEvent(now, $"federation:{rule.Name}", "registry.federation.first_used", registry.ProjectId,
                registry.ProjectName, registry.Id, registry.Name, client?.ToString(), $"rule {rule.Name} ({rule.Id}) first signed in {token.Subject ?? "(no sub)"}"),
                cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Federated sign-in to registry {Registry} under rule {Rule} for {Subject}, valid until {ValidUntil:O}")]
    private static partial void LogSignedIn(ILogger logger, string registry, string rule, string subject, DateTimeOffset validUntil);
}
