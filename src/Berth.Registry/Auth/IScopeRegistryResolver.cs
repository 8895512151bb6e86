namespace Berth.Registry.Auth;

/// <summary>
/// The registry a token scope's repository name belongs to. How registries appear in names (path- or host-based) is
/// the distribution API's addressing; the token endpoint only needs this answer, so Auth does not depend on it.
/// </summary>
public interface IScopeRegistryResolver
{
    string? RegistryOfScopeName(HttpRequest request, string scopeName);

    /// <summary>The repository inside its registry a token scope name stands for (path-based: without the registry).</summary>
    string RepositoryOfScopeName(string scopeName);
}
