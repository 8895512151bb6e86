namespace Berth.Core.Metadata;

/// <summary>The workload identity federation rules of registries.</summary>
public interface IFederationStore
{
    /// <summary>Stores a new rule of a live registry that has fewer than <paramref name="maxRulesPerRegistry"/> rules.</summary>
    /// <exception cref="MetadataConflictException">the registry has a rule of that name</exception>
    /// <exception cref="KeyNotFoundException">the registry does not exist</exception>
    /// <returns>The rule as stored, or null when the registry already has <paramref name="maxRulesPerRegistry"/> rules.</returns>
    Task<FederationRuleRecord?> CreateFederationRuleAsync(FederationRuleRecord rule, int maxRulesPerRegistry, CancellationToken cancellationToken);

    /// <summary>The registry's rules, oldest first (at most the limit given at creation, so never paged).</summary>
    Task<IReadOnlyList<FederationRuleRecord>> ListFederationRulesAsync(string registryId, CancellationToken cancellationToken);

    Task<FederationRuleRecord?> GetFederationRuleAsync(string ruleId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one of the registry's rules and announces it to the nodes watching the credential change feed. False when
    /// the registry has no such rule.
    /// </summary>
    Task<bool> DeleteFederationRuleAsync(string registryId, string ruleId, CancellationToken cancellationToken);

    /// <summary>Records that a rule signed someone in (callers throttle this); true the first time the rule is used.</summary>
    Task<bool> TouchFederationRuleAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken);
}
