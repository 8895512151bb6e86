using Berth.Registry.Auditing;
using Berth.Core;
using Berth.Core.Metadata;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Deleting a registry: at once for every request on this node (its credentials are published as deleted the moment
/// the store commits), then its stored content is purged in the background by <see cref="RegistryPurger"/>. Written to
/// the audit log.
/// </summary>
public sealed class RegistryDeletion(
    ITenantStore tenants,
    IArtifactStore artifacts,
    CredentialGenerations generations,
    RegistryPurger purger,
    RegistryLifecycle lifecycle,
    TimeProvider time)
{
    /// <summary>
    /// Deletes the registry: from the moment this returns its name, credentials, tokens and data are gone for
    /// every request; the stored bytes are purged in the background (durably: a restart resumes the purge).
    /// </summary>
    public async Task DeleteAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        var usage = await artifacts.GetUsageAsync(registry.Id, cancellationToken);
        if (!await tenants.DeleteRegistryAsync(registry.Id, time.GetUtcNow(), cancellationToken))
        {
            throw RegistryLifecycle.NotFound(registry.Name);
        }

        generations.PublishDeleted(registry.Id);
        purger.Enqueue(registry.Id);
        await lifecycle.AuditAsync(registry, actor, "registry.deleted",
            $"{usage.RepositoryCount} repositories, {ByteSize.Format(usage.StorageUsageBytes)}", CancellationToken.None);
    }
}
