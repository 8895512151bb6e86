using Berth.Core.Metadata;

namespace Berth.Registry.Auditing;

/// <summary>
/// Appends events to a registry's audit log. A folder of its own, below every feature, so that deletes, restores,
/// cleanup and immutability (Retention) and the usage notices (Storage) audit without depending on Management.
/// </summary>
public sealed class RegistryAudit(IAuditStore audit, TimeProvider time)
{
    public Task AuditAsync(RegistryRecord registry, AuditActor actor, string action, string? detail, CancellationToken cancellationToken) =>
        audit.AppendAuditAsync(new AuditEvent(time.GetUtcNow(), actor.Name, action, registry.ProjectId, registry.ProjectName,
            registry.Id, registry.Name, actor.RemoteAddress, detail), cancellationToken);
}
