using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Hosting;

namespace Berth.Registry.Distribution;

/// <summary>
/// Blob content of registries: commits verified uploads into the content-addressed tree and collects blobs
/// no repository links any more. Keeps storage and metadata in step (content is in place before the
/// metadata says so, and metadata lets go before content is removed).
/// </summary>
public sealed class RegistryBlobStore(IBlobDriver driver, IArtifactStore artifacts, BlobLocks locks, StorageQuota quota, TimeProvider time,
    IOptions<BerthOptions> options)
{
    public IBlobDriver Driver => driver;

    /// <summary>
    /// Moves verified content from <paramref name="stagedPath"/> to the blob's place (or drops it when the registry
    /// already holds the blob) and links the blob into the repository; the upload session <paramref name="uploadId"/>
    /// that received it ends in the same transaction (its held bytes become stored bytes).
    /// </summary>
    public async Task CommitAsync(string registryId, long repositoryId, Digest digest, long size, string stagedPath, string uploadId,
        CancellationToken cancellationToken)
    {
        var blobPath = BlobPaths.Blob(registryId, digest);
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

            var result = await artifacts.AddBlobAsync(registryId, repositoryId, digest.ToString(), size, time.GetUtcNow(), uploadId, cancellationToken);
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
    }

    /// <summary>
    /// Deletes a manifest (and its tags) and frees its storage: the blobs only it referred to leave the repository, and
    /// blobs no repository links any more leave the registry. Only the deleted manifest's own blobs are candidates, so
    /// blobs of a push in progress (uploaded, manifest not yet written) are never touched, nor are links a client
    /// checked within the collection grace (a push in progress relies on them: the collector takes them later if no
    /// manifest claims them). False when there was no such manifest. Shared by the /v2 DELETE and the management API.
    /// </summary>
    public async Task<bool> DeleteManifestAsync(string registryId, long repositoryId, string digest, CancellationToken cancellationToken)
    {
        var manifest = await artifacts.GetManifestAsync(repositoryId, digest, cancellationToken);
        if (manifest is null || !await artifacts.DeleteManifestAsync(repositoryId, digest, cancellationToken))
        {
            return false;
        }

        var candidates = ManifestValidator.ParseStored(manifest.Content, manifest.MediaType).References
            .Where(r => r.Kind == ReferenceKind.Blob)
            .Select(r => r.Descriptor.Digest.ToString())
            .Distinct()
            .ToList();

        // The manifest is gone: finish releasing its blobs even when the caller goes away.
        var checkedBefore = time.GetUtcNow() - options.Value.Collection.GracePeriod;
        foreach (var unlinked in await artifacts.UnlinkUnreferencedBlobsAsync(repositoryId, candidates, DateTimeOffset.MaxValue, checkedBefore, CancellationToken.None))
        {
            await CollectIfUnreferencedAsync(registryId, Digest.Parse(unlinked), CancellationToken.None);
        }

        return true;
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
}
