namespace Berth.Api;

/// <summary>A registry's workload identity federation rule (see <see cref="CreateFederationRuleRequest"/>).</summary>
public sealed record FederationRuleResponse(
    string Id,
    string Name,
    string Issuer,
    string Audience,
    IReadOnlyDictionary<string, string> Claims,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Repositories,
    int TokenLifetimeMinutes,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? LastUsedAt);
