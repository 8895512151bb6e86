using Berth.Registry.Auditing;
using Berth.Core;
using Berth.Core.Metadata;
using Berth.Registry.Hosting;

namespace Berth.Registry.Management;

/// <summary>
/// What an owner does to a registry over its life, and its audit log. Resizing is here; resetting the password
/// (<see cref="RegistryPasswordReset"/>) and deleting (<see cref="RegistryDeletion"/>) have their own classes.
/// </summary>
public sealed class RegistryLifecycle(
    ITenantStore tenants,
    IArtifactStore artifacts,
    RegistryAudit audit,
    UsageNoticeAudit usageNotices,
    IOptions<BerthOptions> options)
{
    /// <summary>
    /// Sets the allocation; shrinking below what the registry stores plus what its uploads in progress hold is
    /// refused. The store checks and sets in one transaction, so a push racing the resize can't slip in between.
    /// Allocations move in steps of <c>Berth:Registries:AllocationStep</c>: any other size is refused (400).
    /// </summary>
    public async Task ResizeAsync(RegistryRecord registry, long limitBytes, AuditActor actor, CancellationToken cancellationToken)
    {
        var step = options.Value.Registries.AllocationStepBytes;
        if (limitBytes % step != 0)
        {
            var below = limitBytes / step * step;
            var nearest = below > 0 ? $"{ByteSize.Format(below)} or {ByteSize.Format(below + step)}" : ByteSize.Format(step);
            throw new ManagementException(StatusCodes.Status400BadRequest, "Not a multiple of the allocation step",
                $"Allocations move in steps of {ByteSize.Format(step)}; {ByteSize.Format(limitBytes)} is not a multiple of it. Choose {nearest}.");
        }

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
        await usageNotices.CheckAsync(registry.Id, CancellationToken.None);
    }

    public Task AuditAsync(RegistryRecord registry, AuditActor actor, string action, string? detail, CancellationToken cancellationToken) =>
        audit.AuditAsync(registry, actor, action, detail, cancellationToken);

    internal static ManagementException NotFound(string name) =>
        new(StatusCodes.Status404NotFound, "Registry not found", $"There is no registry named '{name}'.");
}
