using Berth.Core.Distribution;

namespace Berth.Registry.Auth;

/// <summary>
/// Who is calling /v2, once authenticated: the registry whose credential was presented (or which a user's personal
/// access token was used for), the credential generation it was valid under, and (for bearer tokens) the scopes the
/// token grants. Without <see cref="Grants"/>, <see cref="WholeRegistry"/> applies to every repository of the registry:
/// all actions for the registry's own credential, what the user's project role allows for an access token.
/// </summary>
public sealed record RegistryPrincipal(
    string RegistryId,
    string RegistryName,
    long Generation,
    IReadOnlyList<AccessGrant>? Grants,
    RepositoryActions WholeRegistry = RepositoryActions.All,
    string? UserName = null,
    string? AccessTokenId = null)
{
    /// <summary>A user known by an access token but not (yet) tied to a registry: enough for <c>GET /v2/</c> and login.</summary>
    public static RegistryPrincipal UserOnly(string userName, string accessTokenId) =>
        new("", "", 0, Grants: [], RepositoryActions.None, userName, accessTokenId);

    public bool HasRegistry => RegistryId.Length > 0;

    /// <summary>
    /// Set when the principal comes from an expired bearer token (accepted only to continue an upload session): when it
    /// expired. Such a token may continue only sessions that existed while it was valid.
    /// </summary>
    public DateTimeOffset? TokenExpiredAt { get; init; }

    /// <summary>
    /// The repositories a limited credential (a registry access token, a federation rule) may touch at all, whatever
    /// <see cref="Grants"/> or <see cref="WholeRegistry"/> say; null for every repository of the registry.
    /// </summary>
    public RepositoryPatterns? Repositories { get; init; }

    /// <summary>
    /// The registry access token this principal signed in with (or which issued its bearer token): checked on every use,
    /// so revoking the token ends it. Unlike the password, such a token survives password resets.
    /// </summary>
    public string? RegistryTokenId { get; init; }

    /// <summary>The federation rule this principal signed in under (with an OIDC ID token): it dies with the rule.</summary>
    public string? FederationRuleId { get; init; }

    /// <summary>
    /// Set when the credential itself expires (a federated sign-in: the sooner of the ID token's exp and the rule's
    /// token lifetime): no token issued to it may outlive this.
    /// </summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The token subject: the user for access tokens, else the registry (whose username is its name).</summary>
    public string Subject => UserName ?? RegistryName;

    /// <summary>
    /// Actions granted on <paramref name="repository"/> (its name inside the registry), which token scopes name
    /// <paramref name="scopeName"/>.
    /// </summary>
    public RepositoryActions ActionsOn(string scopeName, string repository)
    {
        if (Repositories is not null && !Repositories.Matches(repository))
        {
            return RepositoryActions.None;
        }

        if (Grants is null)
        {
            return WholeRegistry;
        }

        var actions = RepositoryActions.None;
        foreach (var grant in Grants)
        {
            if (grant.Type == "repository" && grant.Name == scopeName)
            {
                actions |= Scope.ParseActions(grant.Actions);
            }
        }

        return actions;
    }

    /// <summary>
    /// For a registry access token, and a federated sign-in that carries its rule's actions (Basic with the ID token, or
    /// the exchanged registry token): the most it allows on <paramref name="repository"/>, whatever a bearer token's
    /// grants say (so a refusal within it is final: 403, not a challenge to fetch another token). Null for other
    /// principals, whose bearer tokens don't say what more they could get.
    /// </summary>
    public RepositoryActions? TokenCeilingOn(string repository) =>
        RegistryTokenId is null && (FederationRuleId is null || Grants is not null) ? null
        : Repositories is not null && !Repositories.Matches(repository) ? RepositoryActions.None
        : WholeRegistry;

    public bool CanListCatalog =>
        HasRegistry && (Grants is null || Grants.Any(g => g.Type == "registry" && g.Name == "catalog" && g.Actions.Contains("*")));
}
