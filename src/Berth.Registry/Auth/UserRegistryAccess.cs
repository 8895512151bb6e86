using Berth.Core.Metadata;

namespace Berth.Registry.Auth;

/// <summary>
/// Registry access through a user's personal access token: developers and owners of the registry's project push,
/// pull and delete; viewers pull; anyone else gets nothing (the registry is then unknown to them).
/// </summary>
public sealed class UserRegistryAccess(UserAuthenticator authenticator, ITenantStore tenants, IUserStore users, CredentialGenerations generations)
{
    /// <summary>
    /// The principal for a username and access token, for <paramref name="registryName"/> (or registry-less when null).
    /// Null when the token is invalid, belongs to another user, or gives no access to the registry.
    /// </summary>
    public async ValueTask<RegistryPrincipal?> AuthenticateAsync(string username, string token, string? registryName, CancellationToken cancellationToken)
    {
        var user = await authenticator.VerifyAccessTokenAsync(token, cancellationToken);
        if (user is null || user.Username != username || UserAuthenticator.AccessTokenId(token) is not { } tokenId)
        {
            return null;
        }

        return registryName is null ? RegistryPrincipal.UserOnly(user.Username, tokenId) : await ForRegistryAsync(user, tokenId, registryName, cancellationToken);
    }

    public async ValueTask<RegistryPrincipal?> ForRegistryAsync(UserRecord user, string tokenId, string registryName, CancellationToken cancellationToken)
    {
        var registry = await tenants.GetRegistryAsync(registryName, cancellationToken);
        if (registry is null || await generations.CurrentAsync(registry.Id, cancellationToken) is not { } generation)
        {
            return null;
        }

        ProjectRole? role = user.IsAdmin
            ? ProjectRole.Owner
            : (await users.ListMembershipsOfUserAsync(user.Id, cancellationToken)).FirstOrDefault(m => m.ProjectId == registry.ProjectId)?.Role;
        return role switch
        {
            null => null,
            >= ProjectRole.Developer => new RegistryPrincipal(registry.Id, registry.Name, generation, null, RepositoryActions.All, user.Username, tokenId),
            _ => new RegistryPrincipal(registry.Id, registry.Name, generation, null, RepositoryActions.Pull, user.Username, tokenId),
        };
    }
}
