using Berth.Registry.Auditing;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>Writes project-level events (created, deleted, members changed) to the audit log: no registry attached.</summary>
public sealed class ProjectAudit(IAuditStore audit, TimeProvider time)
{
    public Task AppendAsync(ProjectRecord project, AuditActor actor, string action, string? detail, CancellationToken cancellationToken) =>
        audit.AppendAuditAsync(new AuditEvent(time.GetUtcNow(), actor.Name, action, project.Id, project.Name, null, null, actor.RemoteAddress, detail),
            cancellationToken);
}
