using Berth.Registry.Auditing;
using System.Runtime.CompilerServices;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Hosting;
using Berth.Storage.FileSystem;
using Berth.Storage.S3;

namespace Berth.Registry.Storage;

/// <summary>
/// Blob content of registries, the one way to it besides <see cref="UploadSessions"/> (as in CNCF Distribution, no
/// caller sees a storage path: the layout is <see cref="BlobPaths"/>', the bytes the <see cref="IBlobDriver"/>'s).
/// Reads blobs for pulls, the scanner and the dashboard; commits verified uploads into the content-addressed tree and
/// collects blobs no repository links any more. Keeps storage and metadata in step (content is in place before the
/// metadata says so, and metadata lets go before content is removed), under the blob's <see cref="BlobLocks"/> lock.
/// </summary>
public sealed class RegistryBlobStore(IBlobDriver driver, IArtifactStore artifacts, BlobLocks locks, StorageQuota quota, UsageNoticeAudit usageNotices,
    TimeProvider time)
{
    /// <summary>
    /// The driver <c>Berth:Storage:Provider</c> chooses: files under <paramref name="fileSystemRoot"/> by default, S3 to
    /// scale out. Only the blob layer holds it.
    /// </summary>
    public static IBlobDriver CreateDriver(StorageOptions storage, string fileSystemRoot)
    {
        if (storage.Provider != StorageOptions.S3Provider)
        {
            return new FileSystemBlobDriver(fileSystemRoot);
        }

        // Credentials: the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).
        var s3 = storage.S3;
        return new S3BlobDriver(new S3BlobDriverOptions(
            s3.Bucket!,
            s3.Region,
            string.IsNullOrWhiteSpace(s3.ServiceUrl) ? null : new Uri(s3.ServiceUrl),
            s3.ForcePathStyle,
            s3.Prefix ?? "",
            RedirectGets: s3.RedirectGets));
    }

    /// <summary>Short name of the storage for logs and health checks ("filesystem", "s3").</summary>
    public string StorageName => driver.Name;

    /// <summary>Throws when the storage does not answer (a stat of a path that need not exist; only the answer matters).</summary>
    public Task ProbeAsync(CancellationToken cancellationToken) => driver.StatAsync(BlobPaths.HealthProbe, cancellationToken);

    /// <summary>Opens the registry's blob for reading from <paramref name="offset"/>. Throws <see cref="BlobPathNotFoundException"/>.</summary>
    public Task<Stream> OpenReadAsync(string registryId, Digest digest, long offset, CancellationToken cancellationToken) =>
        driver.OpenReadAsync(BlobPaths.Blob(registryId, digest), offset, cancellationToken);

    /// <summary>
    /// A time-limited URL clients may fetch the blob from directly (an S3 pre-signed GET), or null when the storage
    /// can't give one and Berth streams the blob itself.
    /// </summary>
    public Task<Uri?> GetRedirectUrlAsync(string registryId, Digest digest, TimeSpan validFor, CancellationToken cancellationToken) =>
        driver is IRedirectingBlobDriver redirecting
            ? redirecting.GetRedirectUrlAsync(BlobPaths.Blob(registryId, digest), validFor, cancellationToken)
            : Task.FromResult<Uri?>(null);

    /// <summary>Deletes everything a registry stored, blobs and uploads alike (its records must be gone already).</summary>
    public Task DeleteRegistryAsync(string registryId, CancellationToken cancellationToken) =>
        driver.DeleteAsync(BlobPaths.Registry(registryId), cancellationToken);

    /// <summary>Every blob and upload file of every registry, in no particular order; files of any other kind are skipped.</summary>
    public async IAsyncEnumerable<StoredPath> ListStoredAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var path in driver.ListAsync(BlobPaths.RegistriesRoot, cancellationToken))
        {
            if (BlobPaths.Parse(path) is { } stored)
            {
                yield return stored;
            }
        }
    }

    /// <summary>
    /// Moves the verified data of upload <paramref name="uploadId"/> to the blob's place (or drops it when the registry
    /// already holds the blob) and links the blob into the repository; the upload session that received it ends in the
    /// same transaction (its held bytes become stored bytes).
    /// </summary>
    public async Task CommitUploadAsync(string registryId, long repositoryId, Digest digest, long size, string uploadId,
        CancellationToken cancellationToken)
    {
        var stagedPath = BlobPaths.Upload(registryId, uploadId);
        var blobPath = BlobPaths.Blob(registryId, digest);
        BlobAddResult result;
        await using (await locks.AcquireAsync(registryId, digest.ToString(), cancellationToken))
        {
            var known = await artifacts.GetRegistryBlobSizeAsync(registryId, digest.ToString(), cancellationToken);
            var moved = false;
            if (known is not null && await driver.StatAsync(blobPath, cancellationToken) is not null)
            {
                await driver.DeleteAsync(stagedPath, cancellationToken);
            }
            else
            {
                await driver.MoveAsync(stagedPath, blobPath, cancellationToken);
                moved = known is null;
            }

            result = await artifacts.AddBlobAsync(registryId, repositoryId, digest.ToString(), size, time.GetUtcNow(), uploadId, cancellationToken);
            if (result is BlobAddResult.OverLimit or BlobAddResult.RegistryGone)
            {
                // Not recorded, so nothing may refer to the content we just put in place (we hold the digest's lock).
                if (moved)
                {
                    await driver.DeleteAsync(blobPath, CancellationToken.None);
                }

                throw result == BlobAddResult.OverLimit
                    ? await quota.ExceededAsync(registryId, size, cancellationToken)
                    : new OciException(OciErrorCode.NameUnknown, "registry not found");
            }
        }

        // A blob new to the registry may take it over a usage threshold (one already there changes nothing).
        if (result == BlobAddResult.Added)
        {
            await usageNotices.CheckAsync(registryId, CancellationToken.None);
        }
    }

    /// <summary>
    /// Removes the blob's content and record when no repository of the registry links it any more; the bytes freed, or
    /// null when it is still linked (or already gone).
    /// </summary>
    public async Task<long?> CollectIfUnreferencedAsync(string registryId, Digest digest, CancellationToken cancellationToken)
    {
        await using (await locks.AcquireAsync(registryId, digest.ToString(), cancellationToken))
        {
            if (!await artifacts.RemoveRegistryBlobAsync(registryId, digest.ToString(), cancellationToken))
            {
                return null;
            }

            var path = BlobPaths.Blob(registryId, digest);
            var stat = await driver.StatAsync(path, cancellationToken);
            await driver.DeleteAsync(path, cancellationToken);
            return stat?.Size ?? 0;
        }
    }

    /// <summary>
    /// A blob file with no record, last written before <paramref name="before"/>: left by a crash after the content was
    /// moved into place and before it was recorded. Deleted under the blob's lock once a check under that lock still
    /// finds no record (the lock <see cref="CommitUploadAsync"/> holds from the move until the record); the bytes freed,
    /// or null when it is young, recorded or gone.
    /// </summary>
    public async Task<long?> CollectUntrackedAsync(string registryId, Digest digest, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var path = BlobPaths.Blob(registryId, digest);
        await using (await locks.AcquireAsync(registryId, digest.ToString(), cancellationToken))
        {
            if (await driver.StatAsync(path, cancellationToken) is not { } stat || stat.ModifiedAt >= before ||
                await artifacts.GetRegistryBlobSizeAsync(registryId, digest.ToString(), cancellationToken) is not null)
            {
                return null;
            }

            await driver.DeleteAsync(path, cancellationToken);
            return stat.Size;
        }
    }
}
