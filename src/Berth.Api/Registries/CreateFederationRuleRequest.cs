namespace Berth.Api;

/// <summary>
/// Body of <c>POST /api/v1/registries/{name}/federation</c>: OIDC ID tokens of <see cref="Issuer"/> for
/// <see cref="Audience"/> whose claims match <see cref="Claims"/> (exact values or globs with <c>*</c>) sign in with
/// <see cref="Scopes"/> on <see cref="Repositories"/> (glob patterns; none: all) for <see cref="TokenLifetimeMinutes"/>
/// (5–60, default 15).
/// </summary>
public sealed record CreateFederationRuleRequest(
    string? Name,
    string? Issuer,
    string? Audience,
    Dictionary<string, string>? Claims,
    List<string>? Scopes,
    List<string>? Repositories,
    int? TokenLifetimeMinutes);
