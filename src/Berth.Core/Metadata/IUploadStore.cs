namespace Berth.Core.Metadata;

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
