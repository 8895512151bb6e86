using Berth.Registry.Auditing;
using System.Text.RegularExpressions;
using Berth.Api;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Federation;
using Berth.Registry.Hosting;

namespace Berth.Registry.Management;

/// <summary>
/// A registry's workload identity federation rules: created after checking every field (a rule decides who may push,
/// so nothing vague is stored), listed, deleted (the tokens issued under the rule die at once on this node, and on
/// the others through the credential change feed). Creations and deletes are audited.
/// </summary>
public sealed partial class FederationRuleManagement(
    IFederationStore store,
    FederationRules rules,
    RegistryLifecycle lifecycle,
    TimeProvider time,
    IOptions<BerthOptions> options)
{
    public const int MaxRulesPerRegistry = 50;
    public const int DefaultTokenLifetimeMinutes = 15;
    public const int MinTokenLifetimeMinutes = 5;
    public const int MaxTokenLifetimeMinutes = 60;
    public const int MaxClaims = 32;
    public const int MaxLength = 512;

    private static readonly string[] ScopeOrder = ["pull", "push", "delete"];

    // The claims Berth checks itself: a rule naming them would only confuse.
    private static readonly string[] CheckedClaims = ["iss", "aud", "exp", "nbf", "iat"];

    /// <exception cref="ManagementException">400 for invalid input, 409 for a taken name or a registry full of rules</exception>
    public async Task<FederationRuleRecord> CreateAsync(RegistryRecord registry, CreateFederationRuleRequest? body, AuditActor actor, CancellationToken cancellationToken)
    {
        var rule = Validate(registry, body, actor, time.GetUtcNow(), options.Value.Federation.AllowHttpLoopbackIssuers);
        FederationRuleRecord? created;
        try
        {
            created = await store.CreateFederationRuleAsync(rule, MaxRulesPerRegistry, cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Name taken", $"The registry already has a federation rule named '{rule.Name}'.");
        }
        catch (KeyNotFoundException)
        {
            throw RegistryLifecycle.NotFound(registry.Name);
        }

        if (created is null)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Too many rules",
                $"A registry has at most {MaxRulesPerRegistry} federation rules; delete one first.");
        }

        await lifecycle.AuditAsync(registry, actor, "registry.federation.created",
            $"rule {created.Name} ({created.Id}): issuer {created.Issuer}, audience {created.Audience}, scopes {string.Join(',', created.Scopes)}", cancellationToken);
        return created;
    }

    public Task<IReadOnlyList<FederationRuleRecord>> ListAsync(RegistryRecord registry, CancellationToken cancellationToken) =>
        store.ListFederationRulesAsync(registry.Id, cancellationToken);

    /// <exception cref="ManagementException">404 when the registry has no such rule</exception>
    public async Task DeleteAsync(RegistryRecord registry, string ruleId, AuditActor actor, CancellationToken cancellationToken)
    {
        var rule = await store.GetFederationRuleAsync(ruleId, cancellationToken);
        if (rule is null || rule.RegistryId != registry.Id || !await store.DeleteFederationRuleAsync(registry.Id, ruleId, cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Rule not found", $"The registry has no federation rule with id '{ruleId}'.");
        }

        rules.PublishDeleted(ruleId);
        await lifecycle.AuditAsync(registry, actor, "registry.federation.deleted", $"rule {rule.Name} ({rule.Id})", cancellationToken);
    }

    public static FederationRuleResponse ToResponse(FederationRuleRecord rule) =>
        new(rule.Id, rule.Name, rule.Issuer, rule.Audience, rule.Claims, rule.Scopes, rule.Repositories, rule.TokenLifetimeMinutes,
            rule.CreatedAt, rule.CreatedBy, rule.LastUsedAt);

    internal static FederationRuleRecord Validate(RegistryRecord registry, CreateFederationRuleRequest? body, AuditActor actor, DateTimeOffset now,
        bool allowHttpLoopbackIssuers)
    {
        if (body is null)
        {
            throw Invalid("The body must be JSON: {\"name\",\"issuer\",\"audience\",\"claims\",\"scopes\",\"repositories\",\"tokenLifetimeMinutes\"}.");
        }

        var name = body.Name?.Trim() ?? "";
        if (!RuleName().IsMatch(name))
        {
            throw Invalid("\"name\" must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(body.Issuer) || body.Issuer.Length > MaxLength)
        {
            throw Invalid("\"issuer\" is required: the issuer URL exactly as in the tokens' iss claim.");
        }

        if (IssuerUrl.Check(body.Issuer, allowHttpLoopbackIssuers) is { } issuerError)
        {
            throw Invalid($"\"issuer\": {issuerError}.");
        }

        if (string.IsNullOrWhiteSpace(body.Audience) || body.Audience.Length > MaxLength)
        {
            throw Invalid("\"audience\" is required: the aud the tokens are issued for (e.g. berth).");
        }

        var claims = body.Claims ?? [];
        if (claims.Count > MaxClaims)
        {
            throw Invalid($"At most {MaxClaims} claims.");
        }

        foreach (var (claim, value) in claims)
        {
            if (claim.Length is 0 or > 128 || string.IsNullOrEmpty(value) || value.Length > MaxLength)
            {
                throw Invalid($"Claim '{claim}': names of 1–128 characters and non-empty values of at most {MaxLength} characters.");
            }

            if (CheckedClaims.Contains(claim, StringComparer.Ordinal))
            {
                throw Invalid($"Claim '{claim}' is checked by Berth itself (through \"issuer\", \"audience\" and the token's lifetime); leave it out.");
            }
        }

        if (body.Scopes is not { Count: > 0 } scopes || scopes.Any(s => !ScopeOrder.Contains(s, StringComparer.Ordinal)))
        {
            throw Invalid("\"scopes\" must list one or more of \"pull\", \"push\", \"delete\".");
        }

        if (!RepositoryPatterns.TryParse(body.Repositories, out _, out var patternError))
        {
            throw Invalid($"\"repositories\": {patternError}.");
        }

        var lifetime = body.TokenLifetimeMinutes ?? DefaultTokenLifetimeMinutes;
        if (lifetime is < MinTokenLifetimeMinutes or > MaxTokenLifetimeMinutes)
        {
            throw Invalid($"\"tokenLifetimeMinutes\" must be between {MinTokenLifetimeMinutes} and {MaxTokenLifetimeMinutes} (default {DefaultTokenLifetimeMinutes}).");
        }

        return new FederationRuleRecord(Secrets.NewId(), registry.Id, name, body.Issuer, body.Audience,
            new Dictionary<string, string>(claims, StringComparer.Ordinal), [.. ScopeOrder.Where(scopes.Contains)],
            [.. body.Repositories ?? []], lifetime, now, actor.Name, null);
    }

    private static ManagementException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "Invalid federation rule", detail);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex RuleName();
}
