using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Resetting a registry's password: takes effect at once on this node (its credential generation is published in
/// memory the moment the store commits; other nodes learn it from <see cref="CredentialChangeListener"/>) and is
/// written to the audit log.
/// </summary>
public sealed class RegistryPasswordReset(
    ITenantStore tenants,
    CredentialGenerations generations,
    RegistryLifecycle lifecycle,
    TimeProvider time)
{
    /// <summary>Generates a new password, stores its hash, and revokes the old password and every token issued under it.</summary>
    public async Task<string> ResetAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        var password = Secrets.NewPassword();
        var generation = await tenants.ReplacePasswordAsync(registry.Id, PasswordHasher.Hash(password, PasswordHasher.GeneratedPasswordIterations), time.GetUtcNow(), cancellationToken)
            ?? throw RegistryLifecycle.NotFound(registry.Name);
        generations.Publish(registry.Id, generation);
        await lifecycle.AuditAsync(registry, actor, "registry.password.reset", null, cancellationToken);
        return password;
    }
}
