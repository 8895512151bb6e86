using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// Makes a registry's imagePullSecret (the API and the dashboard both use it). Berth never keeps a password, so the
/// caller supplies the current one — checked, so a typo doesn't produce a Secret that fails later in a cluster — or
/// asks for a reset and gets the new password embedded.
/// </summary>
public sealed class PullSecretIssuer(ITenantStore tenants, RegistryPasswordReset reset)
{
    /// <exception cref="ManagementException">400: invalid names, no password, or not the current password</exception>
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
            throw new ManagementException(400, "Password required",
                "Berth never stores a registry's password: give the current one, or reset it and embed the new one.");
        }
        else if (await tenants.GetCredentialAsync(registry.Name, cancellationToken) is not { } credential ||
                 !Berth.Core.Tenancy.PasswordHasher.Verify(password, credential.PasswordHash))
        {
            throw new ManagementException(400, "Wrong password",
                $"That is not the current password of {registry.Name}. Check it, or reset the password and embed the new one.");
        }

        return new PullSecret(KubernetesSecret.Yaml(@namespace, secretName, loginHost, registry.Name, password),
            KubernetesSecret.ImagePullSecretsSnippet(secretName), newPassword);
    }
}
