using System.Buffers;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;

namespace Berth.Registry.Storage;

/// <summary>
/// Upload sessions and their data: start, write (a writer on the session's data, never a storage path), complete
/// (verify the digest and commit through <see cref="RegistryBlobStore"/>) and discard. Discarding is written once, for
/// the client's cancel, a refused or failed upload, and the upload janitor's abandoned sessions.
/// </summary>
public sealed class UploadSessions(
    IBlobDriver driver,
    IUploadStore uploads,
    IArtifactStore artifacts,
    RegistryBlobStore blobs,
    UploadStates states,
    TimeProvider time,
    IOptions<BerthOptions> options)
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>
    /// Records a new session of <paramref name="repository"/> holding <paramref name="heldBytes"/> (a size announced up
    /// front, or 0) against the registry's allocation, within the registry's cap on open sessions. Only a
    /// <see cref="UploadStartResult.Started"/> session was recorded.
    /// </summary>
    public async Task<(UploadStartResult Result, UploadRecord Upload)> StartAsync(string registryId, string repository, long heldBytes,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var upload = new UploadRecord(Secrets.NewId(), registryId, repository, 0, now, now);
        var result = await uploads.CreateUploadAsync(upload, heldBytes, options.Value.Uploads.MaxSessionsPerRegistry, cancellationToken);
        return (result, upload);
    }

    /// <summary>
    /// Gives a started session its empty data, so chunks can follow and its status reads 0 bytes; when that fails the
    /// session ends at once (its record would only hold a slot under the session cap).
    /// </summary>
    public async Task CreateDataAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        try
        {
            await driver.PutAsync(BlobPaths.Upload(upload.RegistryId, upload.Id), Stream.Null, cancellationToken);
        }
        catch
        {
            await uploads.DeleteUploadAsync(upload.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// A writer on the session's data: with <paramref name="append"/> it continues what earlier chunks committed,
    /// otherwise it starts empty. Nothing written is part of the upload until the writer commits.
    /// </summary>
    public Task<IBlobWriter> OpenWriterAsync(UploadRecord upload, bool append, CancellationToken cancellationToken) =>
        driver.OpenWriterAsync(BlobPaths.Upload(upload.RegistryId, upload.Id), append, cancellationToken);

    /// <summary>The bytes the session's data holds, or null when it has none (discarded meanwhile).</summary>
    public async Task<long?> GetSizeAsync(UploadRecord upload, CancellationToken cancellationToken) =>
        (await driver.StatAsync(BlobPaths.Upload(upload.RegistryId, upload.Id), cancellationToken))?.Size;

    /// <summary>
    /// The hash of the session's data read back from storage, for when no running hash covers it (another algorithm
    /// than sha256, a restart, or earlier chunks received by another node).
    /// </summary>
    public async Task<byte[]> HashStoredAsync(UploadRecord upload, Digest digest)
    {
        using var hash = digest.CreateHash();
        await using var stream = await driver.OpenReadAsync(BlobPaths.Upload(upload.RegistryId, upload.Id), 0, CancellationToken.None);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Completes the upload as blob <paramref name="digest"/> of its repository when the <paramref name="actualHash"/>
    /// of its <paramref name="size"/> bytes matches (DIGEST_INVALID otherwise). The session record ends with the
    /// commit; the caller discards it in any case, so a bad digest leaves nothing partial behind.
    /// </summary>
    public async Task CompleteAsync(UploadRecord upload, Digest digest, byte[] actualHash, long size, CancellationToken cancellationToken)
    {
        var actual = Digest.FromHash(digest.Algorithm, actualHash);
        if (actual != digest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, $"content digest is {actual}, not {digest}");
        }

        var repository = await artifacts.EnsureRepositoryAsync(upload.RegistryId, upload.Repository, time.GetUtcNow(), cancellationToken);
        await blobs.CommitUploadAsync(upload.RegistryId, repository.Id, digest, size, upload.Id, cancellationToken);
    }

    /// <summary>Ends the session: its in-process state, its record (and the bytes it held) and its data. Idempotent.</summary>
    public async Task DiscardAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        states.Remove(upload.Id);
        await uploads.DeleteUploadAsync(upload.Id, cancellationToken);
        await driver.DeleteAsync(BlobPaths.UploadDirectory(upload.RegistryId, upload.Id), cancellationToken);
    }

    /// <summary>
    /// Upload data with no session: bytes whose session record is gone, left by a crash between the two. Deleted when
    /// last written before <paramref name="before"/> (an upload still receiving bytes is young); the bytes freed, or
    /// null when it is young or gone.
    /// </summary>
    public async Task<long?> CollectOrphanAsync(string registryId, string uploadId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        if (await driver.StatAsync(BlobPaths.Upload(registryId, uploadId), cancellationToken) is not { } stat || stat.ModifiedAt >= before)
        {
            return null;
        }

        await driver.DeleteAsync(BlobPaths.UploadDirectory(registryId, uploadId), cancellationToken);
        return stat.Size;
    }
}
