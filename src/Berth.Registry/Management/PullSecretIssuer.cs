using Berth.Registry.Auditing;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// Makes a registry's imagePullSecret (the API and the dashboard both use it). By default it embeds a new pull-only
/// access token named after the namespace and secret, so a node that pulls can't push or delete. Embedding the password
/// is an explicit choice: Berth never keeps it, so the caller supplies the current one — checked, so a typo doesn't
/// produce a Secret that fails later in a cluster — or asks for a reset and gets the new password embedded.
/// </summary>
public sealed class PullSecretIssuer(ITenantStore tenants, RegistryPasswordReset reset, RegistryAccessTokens tokens)
{
    /// <exception cref="ManagementException">400: invalid names, or not the current password; 409: the registry has too many tokens</exception>
    public async Task<PullSecret> IssueAsync(RegistryRecord registry, string @namespace, string secretName, string? password, bool resetPassword,
        string loginHost, AuditActor actor, CancellationToken cancellationToken)
    {
        if (!KubernetesSecret.IsValidNamespace(@namespace) || !KubernetesSecret.IsValidName(secretName))
        {
            throw new ManagementException(400, "Invalid name",
                "The namespace must be an RFC 1123 label and the secret name an RFC 1123 subdomain: lowercase letters, digits, '-' (and '.' in the name).");
        }

        string? newPassword = null;
        if (resetPassword)
        {
            password = newPassword = await reset.ResetAsync(registry, actor, cancellationToken);
        }
        else if (string.IsNullOrEmpty(password))
        {
            // Kubernetes names may be longer than token names (room is left for a "-2" suffix); the start says where it went.
            var name = $"k8s-{@namespace}-{secretName}";
            name = await tokens.FreeNameAsync(registry, name.Length > RegistryAccessTokens.MaxNameLength - 4 ? name[..(RegistryAccessTokens.MaxNameLength - 4)] : name, cancellationToken);
            var (record, token) = await tokens.CreateAsync(registry, name, ["pull"], null, null, actor, cancellationToken);
            return new PullSecret(KubernetesSecret.Yaml(@namespace, secretName, loginHost, registry.Name, token),
                KubernetesSecret.ImagePullSecretsSnippet(secretName), null, record);
        }
        else if (await tenants.GetCredentialAsync(registry.Name, cancellationToken) is not { } credential ||
                 !Berth.Core.Tenancy.PasswordHasher.Verify(password, credential.PasswordHash))
        {
            throw new ManagementException(400, "Wrong password",
                $"That is not the current password of {registry.Name}. Check it, or reset the password and embed the new one.");
        }

        return new PullSecret(KubernetesSecret.Yaml(@namespace, secretName, loginHost, registry.Name, password),
            KubernetesSecret.ImagePullSecretsSnippet(secretName), newPassword, null);
    }
}
