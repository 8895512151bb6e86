namespace Berth.Core.Metadata;

/// <summary>Lifecycle of a metadata backend: the schema is created or migrated once at start.</summary>
public interface IMetadataStore
{
    /// <summary>Creates or migrates the schema; safe to call when another node does the same at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when the backend answers (readiness checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/>, thrown by this store, means the database is busy (a lock or a
    /// connection not had in time): nothing was changed and the same request may succeed when retried.
    /// </summary>
    bool IsBusy(Exception exception);
}

/// <summary>Projects, registries and their credentials; plus a few server-wide settings.</summary>
public interface ITenantStore
{
    /// <exception cref="MetadataConflictException">the name is taken</exception>
    Task<ProjectRecord> CreateProjectAsync(string id, string name, DateTimeOffset createdAt, CancellationToken cancellationToken);

    Task<ProjectRecord?> GetProjectAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectRecord>> ListProjectsAsync(CancellationToken cancellationToken);

    /// <exception cref="MetadataConflictException">the registry name is taken</exception>
    Task<RegistryRecord> CreateRegistryAsync(NewRegistry registry, CancellationToken cancellationToken);

    Task<RegistryRecord?> GetRegistryAsync(string name, CancellationToken cancellationToken);

    Task<RegistryRecord?> GetRegistryByIdAsync(string registryId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegistryRecord>> ListRegistriesAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>The credential whose username is <paramref name="username"/>, or null.</summary>
    Task<RegistryCredential?> GetCredentialAsync(string username, CancellationToken cancellationToken);

    /// <summary>The current credential generation of a registry, or null when the registry no longer exists.</summary>
    Task<long?> GetCredentialGenerationAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new password hash, keeps the replaced one as the previous password (replaced at <paramref name="now"/>)
    /// and moves the credential generation on, atomically. Returns the new generation, or null when the registry no
    /// longer exists.
    /// </summary>
    Task<long?> ReplacePasswordAsync(string registryId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a registry's storage allocation unless what it stores plus what its open upload sessions hold is more
    /// (<see cref="StorageLimitResult.BelowUsage"/>). The check and the change are one transaction, serialised with
    /// blob adds and upload holds, so a push racing a resize can never leave the registry over its new allocation.
    /// </summary>
    Task<StorageLimitResult> SetStorageLimitAsync(string registryId, long limitBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a registry in one short transaction, whatever it holds: from the commit on, its name is free and no
    /// lookup finds it (by name or id; its credential and upload sessions are gone), and its purge is queued. What it
    /// recorded (repositories, manifests, tags, blob records) is left for <see cref="PurgeRegistryAsync"/>, in
    /// batches. False when it did not exist.
    /// </summary>
    Task<bool> DeleteRegistryAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Removes up to about <paramref name="batchSize"/> records of a deleted registry in one short transaction, and
    /// the registry row itself once nothing else is left. False when nothing is left (or the registry is not deleted).
    /// </summary>
    Task<bool> PurgeRegistryAsync(string registryId, int batchSize, CancellationToken cancellationToken);

    /// <summary>Registries deleted whose stored content may not be purged yet (survives restarts).</summary>
    Task<IReadOnlyList<string>> ListPendingPurgesAsync(CancellationToken cancellationToken);

    /// <summary>Records that nothing of the deleted registry is left in storage.</summary>
    Task CompletePurgeAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Reads a server-wide setting (signing key, admin password hash).</summary>
    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores the setting unless it is already set, and returns the value that is stored (first writer wins).</summary>
    Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken);

    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Every setting whose key starts with <paramref name="prefix"/> (e.g. the data-protection key ring).</summary>
    Task<IReadOnlyDictionary<string, string>> ListSettingsAsync(string prefix, CancellationToken cancellationToken);
}

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
    /// to any more, created before <paramref name="createdBefore"/> and not checked since <paramref name="checkedBefore"/>;
    /// returns the digests unlinked. A manifest stored concurrently that refers to a candidate either keeps it linked
    /// or finds it gone and is refused (see <see cref="PutManifestAsync"/>), never both stored and unlinked.
    /// </summary>
    Task<IReadOnlyList<string>> UnlinkUnreferencedBlobsAsync(long repositoryId, IReadOnlyCollection<string> candidates,
        DateTimeOffset createdBefore, DateTimeOffset checkedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Links that no manifest of their repository refers to, created and last checked before <paramref name="before"/>
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

    /// <summary>Every manifest of the repository, newest first (with content: browsing parses them for types and sizes).</summary>
    Task<IReadOnlyList<ManifestRecord>> ListManifestsAsync(long repositoryId, CancellationToken cancellationToken);

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
    /// (tags first, then manifests with their links and scans, pull counts, blob links), and the repository row once
    /// nothing else is left. The step names the blobs it unlinked: the caller collects those no other repository
    /// links.
    /// </summary>
    Task<RepositoryPurgeStep> PurgeRepositoryAsync(long repositoryId, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes a manifest and every tag pointing to it. False when it did not exist.</summary>
    Task<bool> DeleteManifestAsync(long repositoryId, string digest, CancellationToken cancellationToken);

    Task<bool> DeleteTagAsync(long repositoryId, string tag, CancellationToken cancellationToken);

    /// <summary>Tags in lexical order after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListTagsAsync(long repositoryId, string? last, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<TagRecord>> ListTagRecordsAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>Repository names of a registry in lexical order after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(string registryId, string? last, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<RepositorySummary>> ListRepositorySummariesAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Manifests of the repository whose subject is <paramref name="subjectDigest"/>, optionally of one artifact type.</summary>
    Task<IReadOnlyList<ReferrerRecord>> ListReferrersAsync(long repositoryId, string subjectDigest, string? artifactType, CancellationToken cancellationToken);

    Task<RegistryUsage> GetUsageAsync(string registryId, CancellationToken cancellationToken);
}

/// <summary>The audit log. Events name their registry and project by name and id, so they outlive a deleted registry.</summary>
public interface IAuditStore
{
    Task AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Newest first: a project's events, optionally only those of one registry (by id), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string projectId, string? registryId, int limit, CancellationToken cancellationToken);
}

/// <summary>Blob upload sessions; they live in the metadata store so they survive restarts and span nodes.</summary>
public interface IUploadStore
{
    /// <summary>
    /// Opens a session holding <paramref name="heldBytes"/> against its registry's allocation (the size announced up
    /// front, or 0), unless the registry already has <paramref name="maxSessions"/> open sessions or the bytes don't
    /// fit; the checks and the insert are one transaction.
    /// </summary>
    Task<UploadStartResult> CreateUploadAsync(UploadRecord upload, long heldBytes, int maxSessions, CancellationToken cancellationToken);

    Task<UploadRecord?> GetUploadAsync(string registryId, string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Raises the bytes the session holds against its registry's allocation to at least <paramref name="neededBytes"/>
    /// and at most <paramref name="wantedBytes"/>, taking ahead of the need at most half of the room that would be left
    /// (so one streaming session never takes all the room others could use), atomically with the usage check
    /// (serialised with blob adds, other holds and resizes). Returns the bytes held afterwards: less than
    /// <paramref name="neededBytes"/> means there was no room and nothing changed. Null when the session no longer exists.
    /// </summary>
    Task<long?> HoldUploadBytesAsync(string registryId, string uploadId, long neededBytes, long wantedBytes, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records the upload's size; the session then holds exactly that many bytes (what it reserved ahead is released).
    /// False when the session no longer exists (cancelled, or its registry deleted).
    /// </summary>
    Task<bool> UpdateUploadSizeAsync(string uploadId, long size, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task<bool> DeleteUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Uploads not touched since <paramref name="before"/> (for garbage collection).</summary>
    Task<IReadOnlyList<UploadRecord>> ListStaleUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="uploadIds"/> are upload sessions of the registry, in one query.</summary>
    Task<IReadOnlySet<string>> GetExistingUploadsAsync(string registryId, IReadOnlyCollection<string> uploadIds, CancellationToken cancellationToken);
}

/// <summary>
/// Optional ability of a metadata store shared by several nodes: a feed of credential changes (password resets,
/// registry deletes) committed by ANY node, so every node revokes old passwords and tokens within moments. The
/// store publishes the changes itself, atomically with the change (e.g. PostgreSQL NOTIFY inside the transaction).
/// </summary>
public interface ICredentialChangeFeed
{
    /// <summary>
    /// Changes as they are committed, until cancelled. After a (re)connection the feed yields
    /// <see cref="CredentialChange.MayHaveMissedChanges"/> first: the caller must then forget everything it cached.
    /// </summary>
    IAsyncEnumerable<CredentialChange> WatchAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted. A null <see cref="RegistryId"/> means notifications may have been missed.
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);
}

/// <summary>
/// Optional ability of a metadata store shared by several nodes: a lock per blob of a registry that excludes every
/// node, so committing a blob's content and collecting it never interleave across nodes.
/// </summary>
public interface IBlobLockProvider
{
    Task<IAsyncDisposable> AcquireBlobLockAsync(string registryId, string digest, CancellationToken cancellationToken);
}
