namespace Berth.Core.Metadata;

/// <summary>The audit log. Events name their registry and project by name and id, so they outlive a deleted registry.</summary>
public interface IAuditStore
{
    Task AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Newest first: a project's events, optionally only those of one registry (by id), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string projectId, string? registryId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A page of a project's events, optionally only those of one registry (by id): sorted by
    /// <see cref="ListSort.AtKey"/> (descending: newest first), searched by a substring of the action.
    /// </summary>
    /// <exception cref="InvalidCursorException">the request's cursor is not one of this list and sort</exception>
    Task<ListPage<AuditEvent>> ListAuditAsync(string projectId, string? registryId, ListPageRequest request, CancellationToken cancellationToken);
}
