namespace Berth.Registry.Auth;

/// <summary>Actions on a repository, as named in Docker token scopes.</summary>
[Flags]
public enum RepositoryActions
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    All = Pull | Push | Delete,
}

/// <summary>One entry of a token's <c>access</c> claim: what may be done on one resource.</summary>
public sealed record AccessGrant(string Type, string Name, IReadOnlyList<string> Actions);

/// <summary>
/// Who is calling /v2, once authenticated: the registry whose credential was presented, the credential
/// generation it was valid under, and (for bearer tokens) the scopes the token grants.
/// </summary>
public sealed record RegistryPrincipal(
    string RegistryId,
    string RegistryName,
    long Generation,
    IReadOnlyList<AccessGrant>? Grants)
{
    /// <summary>A principal from Basic credentials: every action on the registry's own repositories.</summary>
    public bool IsFullAccess => Grants is null;

    /// <summary>Actions granted on the repository named <paramref name="scopeName"/> in token scopes.</summary>
    public RepositoryActions ActionsOn(string scopeName)
    {
        if (Grants is null)
        {
            return RepositoryActions.All;
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

    public bool CanListCatalog =>
        Grants is null || Grants.Any(g => g.Type == "registry" && g.Name == "catalog" && g.Actions.Contains("*"));
}
