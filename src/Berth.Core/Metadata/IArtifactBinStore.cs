namespace Berth.Core.Metadata;

/// <summary>
/// Deleting tags and manifests, and the recovery bin that keeps them restorable for a while. A binned manifest keeps
/// its content and links (deleted_manifest_links): the blobs it uses stay linked and counted against the allocation,
/// as every "is this blob referenced?" question of the store counts binned links too, until
/// <see cref="PurgeExpiredBinAsync"/> drops it. Each delete or restore is one transaction (guard and move together).
/// </summary>
public interface IArtifactBinStore
{
    /// <summary>
    /// Removes a tag: binned until <paramref name="expiresAt"/>, or gone at once when it is null. The manifest stays; it
    /// is marked untagged at <paramref name="now"/> when this was its last tag. With <paramref name="guard"/>, only if
    /// the tag still points at the guard's digest and that manifest was not pulled since. The digest the tag pointed
    /// at, or null when there was no such tag (or the guard refused).
    /// </summary>
    Task<string?> RemoveTagAsync(long repositoryId, string tag, RemovalGuard? guard, DateTimeOffset now, DateTimeOffset? expiresAt,
        CancellationToken cancellationToken);

    /// <summary>
    /// Removes a manifest with every tag pointing to it: binned (content, links, tags) until <paramref name="expiresAt"/>,
    /// or gone at once when it is null. With <paramref name="notPulledSince"/> (cleanup), only if it has no tag, no live
    /// index of the repository lists it and it was not pulled at or after that instant. Null when there was no such
    /// manifest (or the guard refused).
    /// </summary>
    Task<ManifestRemoval?> RemoveManifestAsync(long repositoryId, string digest, DateTimeOffset? notPulledSince, DateTimeOffset now,
        DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Brings a binned tag back (unexpired at <paramref name="now"/>), with its manifest and, for an index, the index's
    /// binned child manifests when they are binned too; refused when a live tag of that name points elsewhere.
    /// </summary>
    Task<BinRestore> RestoreTagAsync(long repositoryId, string tag, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Brings a binned manifest back (with an index's binned children); its binned tags stay in the bin.</summary>
    Task<BinRestore> RestoreManifestAsync(long repositoryId, string digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The unexpired bin entries of the registry's live repositories (of one repository when given), newest first: each
    /// binned tag, and each binned manifest that no binned tag points at (tag null). Paged by
    /// <see cref="ListSort.DeletedKey"/>; the search matches the entry's reference (<c>repo:tag</c>, <c>repo@digest</c>).
    /// </summary>
    Task<ListPage<BinEntry>> ListBinAsync(string registryId, string? repository, ListPageRequest request, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>What each of the registries' bins holds (registries with an empty bin are left out), in one query.</summary>
    Task<IReadOnlyDictionary<string, BinCounts>> CountBinAsync(IReadOnlyCollection<string> registryIds, CancellationToken cancellationToken);

    /// <summary>
    /// Drops up to <paramref name="limit"/> bin entries of each kind that expired before <paramref name="now"/>, in one
    /// short transaction; names the blobs the dropped manifests referred to, for the caller to unlink and collect.
    /// </summary>
    Task<BinPurge> PurgeExpiredBinAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
