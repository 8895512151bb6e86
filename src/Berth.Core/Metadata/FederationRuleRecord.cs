namespace Berth.Core.Metadata;

/// <summary>
/// A workload identity federation rule of a registry: OIDC ID tokens from <see cref="Issuer"/> for
/// <see cref="Audience"/> whose claims match <see cref="Claims"/> (each an exact value or a glob with <c>*</c>) sign in
/// with <see cref="Scopes"/> (<c>pull</c>, <c>push</c>, <c>delete</c>) on the repositories matching
/// <see cref="Repositories"/> (none: every repository) for at most <see cref="TokenLifetimeMinutes"/>. Rules are never
/// changed, only created and deleted.
/// </summary>
public sealed record FederationRuleRecord(
    string Id,
    string RegistryId,
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
