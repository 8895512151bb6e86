namespace Berth.Core.Metadata;

/// <summary>What a registry holds: repositories, blobs (unique per registry, linked into repositories), manifests, tags.</summary>
public interface IArtifactStore
{
    Task<RepositoryRecord?> GetRepositoryAsync(string registryId, string repository, CancellationToken cancellationToken);

    /// <summary>Returns the repository, creating it on first use.</summary>
    /// <exception cref="RegistryGoneException">the registry was deleted (a push in flight during the delete)</exception>
    Task<RepositoryRecord> EnsureRepositoryAsync(string registryId, string repository, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Size of a blob the registry holds (in any repository), or null.</summary>
    Task<long?> GetRegistryBlobSizeAsync(string registryId, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// Size of a blob linked into the named repository of the registry, or null: the access check for blob GET/HEAD
    /// and cross-repository mounts, in one query (the repository is looked up by name in the same statement).
    /// </summary>
    Task<long?> GetRepositoryBlobSizeAsync(string registryId, string repository, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetRepositoryBlobSizeAsync"/> for a client that will rely on the answer (a blob HEAD before a push):
    /// when the blob is linked, also records that the link was checked at <paramref name="now"/> (not again within a
    /// second), which keeps the collector off it for its grace. Null when not linked, or unlinked meanwhile.
    /// </summary>
    Task<long?> CheckRepositoryBlobAsync(string registryId, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Sizes of those of <paramref name="digests"/> that are linked into the repository, in one query.</summary>
    Task<IReadOnlyDictionary<string, long>> GetRepositoryBlobSizesAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>
    /// Records a blob whose content is in storage: adds it to the registry (if new) and links it into the
    /// repository, atomically. A blob new to the registry is refused (<see cref="BlobAddResult.OverLimit"/>, nothing
    /// recorded) when it would take the registry's usage (stored plus held by upload sessions) over its storage
    /// limit; the check and the insert are one transaction, so concurrent pushes can't overshoot together. With
    /// <paramref name="uploadId"/>, the blob is that upload session's content: the bytes the session holds are not
    /// counted a second time, and the session ends in the same transaction (its held bytes become stored bytes).
    /// A link that already existed is marked checked at <paramref name="now"/> (see <see cref="CheckRepositoryBlobAsync"/>).
    /// </summary>
    Task<BlobAddResult> AddBlobAsync(string registryId, long repositoryId, string digest, long size, DateTimeOffset now, string? uploadId,
        CancellationToken cancellationToken);

    /// <summary>
    /// Links a blob the registry already holds into a repository (cross-repository mount); a link that already existed is
    /// marked checked at <paramref name="now"/>. False when the registry lacks it.
    /// </summary>
    Task<bool> LinkBlobAsync(string registryId, long repositoryId, string digest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Unlinks from the repository those of <paramref name="candidates"/> that no manifest of the repository refers
    /// to any more (live or in the recovery bin), created before <paramref name="createdBefore"/> and not checked since <paramref name="checkedBefore"/>;
    /// returns the digests unlinked. A manifest stored concurrently that refers to a candidate either keeps it linked
    /// or finds it gone and is refused (see <see cref="PutManifestAsync"/>), never both stored and unlinked.
    /// </summary>
    Task<IReadOnlyList<string>> UnlinkUnreferencedBlobsAsync(long repositoryId, IReadOnlyCollection<string> candidates,
        DateTimeOffset createdBefore, DateTimeOffset checkedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Links that no manifest of their repository refers to (live or in the recovery bin), created and last checked before <paramref name="before"/>
    /// (what the collector unlinks), in (repository, digest) order after <paramref name="after"/>, at most
    /// <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<BlobLink>> ListUnreferencedLinksAsync(DateTimeOffset before, BlobLink? after, int limit, CancellationToken cancellationToken);

    /// <summary>Removes a blob's link from a repository. False when it was not linked.</summary>
    Task<bool> UnlinkBlobAsync(long repositoryId, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// Registry blobs that no repository links any more; the caller deletes their content and then
    /// <see cref="RemoveRegistryBlobAsync"/>.
    /// </summary>
    Task<IReadOnlyList<string>> ListUnreferencedBlobsAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="digests"/> the registry holds (has a blob record for), in one query.</summary>
    Task<IReadOnlySet<string>> GetRegistryBlobsAsync(string registryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>Drops a registry blob if (still) no repository links it. True when it was dropped.</summary>
    Task<bool> RemoveRegistryBlobAsync(string registryId, string digest, CancellationToken cancellationToken);

    /// <summary>Finds a manifest by tag or digest in one query.</summary>
    Task<ManifestRecord?> GetManifestAsync(long repositoryId, string reference, CancellationToken cancellationToken);

    /// <summary>
    /// Finds a manifest by repository name and tag or digest in one query (a manifest GET): null when the repository
    /// does not exist, a lookup without a manifest when it has none by that reference.
    /// </summary>
    Task<ManifestLookup?> FindManifestAsync(string registryId, string repository, string reference, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="digests"/> are manifests of the repository, in one query.</summary>
    Task<IReadOnlySet<string>> GetExistingManifestsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a manifest (idempotent for the same digest) with its links and referrer data, and points
    /// <paramref name="tag"/> at it when given, in one transaction. The transaction first checks that every blob of
    /// <paramref name="links"/> is still linked into the repository (a collector may have unlinked one since the caller
    /// looked): false, and nothing stored, when one is not.
    /// </summary>
    Task<bool> PutManifestAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a repository of the registry in one short transaction, whatever it holds: from the commit on, its name
    /// is free and no lookup or listing finds it. Its manifests, tags, blob links and pull counts are left for
    /// <see cref="PurgeRepositoryAsync"/>, in batches. False when it did not exist.
    /// </summary>
    Task<bool> DeleteRepositoryAsync(string registryId, long repositoryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deleted repositories whose records are not purged yet, oldest first (survives restarts).</summary>
    Task<IReadOnlyList<DeletedRepository>> ListDeletedRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes up to about <paramref name="batchSize"/> records of a deleted repository in one short transaction
    /// (tags first, then the recovery bin, manifests with their links and scans, pull counts, blob links), and the repository row once
    /// nothing else is left. The step names the blobs it unlinked: the caller collects those no other repository
    /// links.
    /// </summary>
    Task<RepositoryPurgeStep> PurgeRepositoryAsync(long repositoryId, int batchSize, CancellationToken cancellationToken);

    /// <summary>Tags in lexical order after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListTagsAsync(long repositoryId, string? last, int limit, CancellationToken cancellationToken);

    /// <summary>Repository names of a registry in lexical order after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(string registryId, string? last, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<RepositorySummary>> ListRepositorySummariesAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// A page of a registry's repositories with their figures and pulls, in one query whose per-repository work is
    /// done for the page's repositories only: sorted by <see cref="ListSort.NameKey"/> or
    /// <see cref="ListSort.UpdatedKey"/>, searched by a substring of the name.
    /// </summary>
    /// <exception cref="InvalidCursorException">the request's cursor is not one of this list and sort</exception>
    Task<ListPage<RepositoryListing>> ListRepositorySummariesAsync(string registryId, ListPageRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The most recently updated tag of each of the named repositories of the registry that has one, in one query
    /// (ready-to-run pull commands).
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> GetLatestTagsAsync(string registryId, IReadOnlyCollection<string> repositories, CancellationToken cancellationToken);

    /// <summary>Manifests of the repository whose subject is <paramref name="subjectDigest"/>, optionally of one artifact type.</summary>
    Task<IReadOnlyList<ReferrerRecord>> ListReferrersAsync(long repositoryId, string subjectDigest, string? artifactType, CancellationToken cancellationToken);

    /// <summary>
    /// The indexes of the repository that list <paramref name="digest"/> among their manifests, each with its tags (what
    /// deleting that manifest would break), in digest order; one indexed query, O(referencing indexes).
    /// </summary>
    Task<IReadOnlyList<ReferencingIndex>> ListReferencingIndexesAsync(long repositoryId, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// What a page of listed manifests carries beneath it, in one query: the children of those that are indexes and the
    /// referrers of each, then one level further (a platform image's signature, an SBOM's signature). A manifest under
    /// several parents comes once per parent; an index entry the repository lacks is left out.
    /// </summary>
    Task<IReadOnlyList<DependentManifest>> ListDependentsAsync(long repositoryId, IReadOnlyCollection<string> parentDigests, CancellationToken cancellationToken);

    /// <summary>
    /// Bytes of the blobs linked into the repository that no other repository of the registry links: what deleting
    /// it frees. One query over the repository's links, without reading its manifests.
    /// </summary>
    Task<long> GetRepositoryExclusiveBytesAsync(long repositoryId, CancellationToken cancellationToken);

    Task<RegistryUsage> GetUsageAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the repository's top-level manifests (neither listed by an index of the repository nor referring to a
    /// manifest of it: those come with <see cref="ListDependentsAsync"/>) with their tags, in one query: sorted by push
    /// time (<see cref="ListSort.PushedKey"/>, ties by digest), only those with a tag containing the search when given.
    /// </summary>
    /// <exception cref="InvalidCursorException">the cursor is of another sort key</exception>
    Task<ListPage<ArtifactRecord>> ListArtifactPageAsync(long repositoryId, ListPageRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the repository's tags, by <see cref="ListSort.NameKey"/> or <see cref="ListSort.UpdatedKey"/> (ties by
    /// name), only those containing the search (case-insensitive) when given.
    /// </summary>
    /// <exception cref="InvalidCursorException">the cursor is of another sort key</exception>
    Task<ListPage<TagRecord>> ListTagPageAsync(long repositoryId, ListPageRequest request, CancellationToken cancellationToken);

    /// <summary>The tags pointing to any of <paramref name="digests"/>, in one query.</summary>
    Task<IReadOnlyList<TagRecord>> ListTagsOfAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>The tags pointing to one manifest, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListManifestTagsAsync(long repositoryId, string digest, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="digests"/> that are manifests of the repository, with content, in one query.</summary>
    Task<IReadOnlyList<ManifestRecord>> GetManifestsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>The manifests of the repository that list any of <paramref name="childDigests"/> as a manifest (indexes), in one query.</summary>
    Task<IReadOnlyList<IndexEntry>> ListIndexesOfAsync(long repositoryId, IReadOnlyCollection<string> childDigests, CancellationToken cancellationToken);

    /// <summary>Live repositories of the registry and the tags and manifests in them, in one aggregate query.</summary>
    Task<RegistryContentCounts> CountRegistryContentsAsync(string registryId, CancellationToken cancellationToken);
}
