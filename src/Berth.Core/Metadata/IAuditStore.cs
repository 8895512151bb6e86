namespace Berth.Core.Metadata;

/// <summary>The audit log. Events name their registry and project by name and id, so they outlive a deleted registry.</summary>
public interface IAuditStore
{
    Task AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Newest first: a project's events, optionally only those of one registry (by id), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string projectId, string? registryId, int limit, CancellationToken cancellationToken);
}
