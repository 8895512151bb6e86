using Berth.Core;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// What an owner does to a registry over its life: resize its allocation, reset its password, delete it. Each
/// takes effect at once on this node (credential generations are published in memory the moment the store
/// commits) and is written to the audit log.
/// </summary>
public sealed class RegistryLifecycle(
    ITenantStore tenants,
    IArtifactStore artifacts,
    IAuditStore audit,
    CredentialGenerations generations,
    RegistryPurger purger,
    TimeProvider time)
{
    /// <summary>Generates a new password, stores its hash, and revokes the old password and every token issued under it.</summary>
    public async Task<string> ResetPasswordAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        var password = Secrets.NewPassword();
        var generation = await tenants.ReplacePasswordAsync(registry.Id, PasswordHasher.Hash(password, PasswordHasher.GeneratedPasswordIterations), time.GetUtcNow(), cancellationToken)
            ?? throw NotFound(registry.Name);
        generations.Publish(registry.Id, generation);
        await AuditAsync(registry, actor, "registry.password.reset", null, cancellationToken);
        return password;
    }

    /// <summary>
    /// Sets the allocation; shrinking below what the registry stores plus what its uploads in progress hold is
    /// refused. The store checks and sets in one transaction, so a push racing the resize can't slip in between.
    /// </summary>
    public async Task ResizeAsync(RegistryRecord registry, long limitBytes, AuditActor actor, CancellationToken cancellationToken)
    {
        switch (await tenants.SetStorageLimitAsync(registry.Id, limitBytes, cancellationToken))
        {
            case StorageLimitResult.RegistryGone:
                throw NotFound(registry.Name);
            case StorageLimitResult.BelowUsage:
                var usage = await artifacts.GetUsageAsync(registry.Id, cancellationToken);
                var held = usage.UploadBytes > 0 ? $" and its uploads in progress hold {ByteSize.Format(usage.UploadBytes)}" : "";
                throw new ManagementException(StatusCodes.Status409Conflict, "Allocation below usage",
                    $"Registry '{registry.Name}' stores {ByteSize.Format(usage.StorageUsageBytes)}{held}; an allocation of " +
                    $"{ByteSize.Format(limitBytes)} would be smaller. Delete images (or let the uploads finish) first, or choose a larger size.");
        }

        await AuditAsync(registry, actor, "registry.resized",
            $"from {ByteSize.Format(registry.StorageLimitBytes)} to {ByteSize.Format(limitBytes)}", cancellationToken);
    }

    /// <summary>
    /// Deletes the registry: from the moment this returns its name, credentials, tokens and data are gone for
    /// every request; the stored bytes are purged in the background (durably: a restart resumes the purge).
    /// </summary>
    public async Task DeleteAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        var usage = await artifacts.GetUsageAsync(registry.Id, cancellationToken);
        if (!await tenants.DeleteRegistryAsync(registry.Id, time.GetUtcNow(), cancellationToken))
        {
            throw NotFound(registry.Name);
        }

        generations.PublishDeleted(registry.Id);
        purger.Enqueue(registry.Id);
        await AuditAsync(registry, actor, "registry.deleted",
            $"{usage.RepositoryCount} repositories, {ByteSize.Format(usage.StorageUsageBytes)}", CancellationToken.None);
    }

    public Task AuditAsync(RegistryRecord registry, AuditActor actor, string action, string? detail, CancellationToken cancellationToken) =>
        audit.AppendAuditAsync(new AuditEvent(time.GetUtcNow(), actor.Name, action, registry.ProjectId, registry.ProjectName,
            registry.Id, registry.Name, actor.RemoteAddress, detail), cancellationToken);

    private static ManagementException NotFound(string name) =>
        new(StatusCodes.Status404NotFound, "Registry not found", $"There is no registry named '{name}'.");
}
