namespace Berth.Core.Metadata;

public sealed record ProjectRecord(string Id, string Name, DateTimeOffset CreatedAt);

public sealed record RegistryRecord(
    string Id,
    string Name,
    string ProjectId,
    string ProjectName,
    long StorageLimitBytes,
    DateTimeOffset CreatedAt);

/// <summary>A new registry with its first credential.</summary>
public sealed record NewRegistry(
    string Id,
    string Name,
    string ProjectId,
    string PasswordHash,
    long StorageLimitBytes,
    DateTimeOffset CreatedAt);

/// <summary>
/// A registry's one credential. <see cref="Generation"/> changes on every password reset; tokens and cached
/// verifications carry the generation they were made under and die when it moves on. The hash of the password it
/// replaced (and when) is kept so a client still sending that one can be told why it fails.
/// </summary>
public sealed record RegistryCredential(
    string RegistryId,
    string Username,
    string PasswordHash,
    long Generation,
    string? PreviousPasswordHash = null,
    DateTimeOffset? PasswordReplacedAt = null);

public sealed record RepositoryRecord(long Id, string RegistryId, string Name, DateTimeOffset CreatedAt);

/// <summary>A repository deleted by a user whose records are still being purged.</summary>
public sealed record DeletedRepository(long Id, string RegistryId);

/// <summary>
/// One batch of a repository purge: the blobs it unlinked from the repository, and whether anything of the
/// repository is left (false once its row is gone).
/// </summary>
public sealed record RepositoryPurgeStep(IReadOnlyList<string> UnlinkedDigests, bool More);

/// <summary>A stored manifest. <see cref="Content"/> is the exact bytes pushed (their digest is <see cref="Digest"/>).</summary>
public sealed record ManifestRecord(
    string Digest,
    string MediaType,
    byte[] Content,
    string? ArtifactType,
    string? SubjectDigest,
    DateTimeOffset CreatedAt);

/// <summary>
/// A manifest looked up by repository name and reference: the repository's id (it exists) and the manifest, null
/// when the repository has no manifest by that reference.
/// </summary>
public sealed record ManifestLookup(long RepositoryId, ManifestRecord? Manifest);

/// <summary>A blob or child manifest a manifest refers to (kept to validate deletes and compute sizes).</summary>
public sealed record ManifestLink(string Digest, bool IsManifest, long Size);

/// <summary>A blob linked into a repository (with the blob's size), as the collector lists them.</summary>
public sealed record BlobLink(string RegistryId, long RepositoryId, string Digest, long Size);

/// <summary>A descriptor of a manifest that names another as its subject (the referrers API).</summary>
public sealed record ReferrerRecord(string Digest, string MediaType, long Size, string? ArtifactType, string? AnnotationsJson);

public sealed record UploadRecord(
    string Id,
    string RegistryId,
    string Repository,
    long Size,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// Registry-wide figures: bytes of unique blobs (each counted once), repository count, and bytes held by open upload
/// sessions (received so far, plus what a chunk being streamed has reserved ahead). The allocation covers stored and
/// held bytes together.
/// </summary>
public sealed record RegistryUsage(long StorageUsageBytes, int RepositoryCount, long UploadBytes = 0)
{
    /// <summary>What counts against the allocation.</summary>
    public long TotalBytes => StorageUsageBytes + UploadBytes;
}

public sealed record RepositorySummary(
    string Name,
    int TagCount,
    int ManifestCount,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record TagRecord(string Name, string ManifestDigest, DateTimeOffset UpdatedAt);

public enum BlobAddResult
{
    /// <summary>The blob was new to the registry and is now recorded and linked.</summary>
    Added,

    /// <summary>The registry already held the blob; it is now linked into the repository.</summary>
    AlreadyPresent,

    /// <summary>The blob is new and would exceed the registry's storage limit; nothing was recorded.</summary>
    OverLimit,

    /// <summary>The registry was deleted meanwhile; nothing was recorded.</summary>
    RegistryGone,
}

public enum UploadStartResult
{
    /// <summary>The session is open and holds the bytes asked for.</summary>
    Started,

    /// <summary>The registry already has as many open sessions as allowed; nothing was recorded.</summary>
    TooManySessions,

    /// <summary>The bytes asked for would take the registry past its allocation; nothing was recorded.</summary>
    OverLimit,

    /// <summary>The registry no longer exists; nothing was recorded.</summary>
    RegistryGone,
}

public enum StorageLimitResult
{
    /// <summary>The new allocation is in force.</summary>
    Set,

    /// <summary>The registry stores and holds more than the new allocation; the old one stays.</summary>
    BelowUsage,

    /// <summary>The registry no longer exists.</summary>
    RegistryGone,
}

/// <summary>
/// Something an administrator or user did (password reset, registry delete, …): who, when, from where, on what.
/// Never carries a secret.
/// </summary>
public sealed record AuditEvent(
    DateTimeOffset At,
    string Actor,
    string Action,
    string ProjectId,
    string ProjectName,
    string? RegistryId,
    string? RegistryName,
    string? RemoteAddress,
    string? Detail);
