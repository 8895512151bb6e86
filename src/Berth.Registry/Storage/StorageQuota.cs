using Berth.Core;
using Berth.Core.Distribution;
using Berth.Core.Metadata;

namespace Berth.Registry.Storage;

/// <summary>
/// A registry's storage allocation as seen by pushes: it covers stored blobs and the bytes open upload sessions hold.
/// A session holds its bytes before they are written (up front when their size is announced, in slices of
/// <see cref="HoldSlice"/> while a chunk streams in), each hold checked atomically in the metadata store; completing
/// an upload turns its held bytes into stored bytes in the same transaction that records the blob.
/// </summary>
public sealed class StorageQuota(ITenantStore tenants, IArtifactStore artifacts, IUploadStore uploads, TimeProvider time)
{
    /// <summary>
    /// How far ahead a streamed chunk holds room: a metadata write per slice instead of one per buffer, and never more
    /// than the allocation has left (the last slice is cut to fit).
    /// </summary>
    public const long HoldSlice = 4 * ByteSize.MiB;

    /// <summary>
    /// Makes the session hold at least <paramref name="neededBytes"/> (and up to <paramref name="wantedBytes"/> when
    /// there is room); returns the bytes it holds. Throws DENIED, with nothing changed, when the allocation can't take
    /// <paramref name="neededBytes"/>; BLOB_UPLOAD_UNKNOWN when the session ended meanwhile (cancelled, registry deleted).
    /// </summary>
    public async Task<long> HoldAsync(string registryId, string uploadId, long neededBytes, long wantedBytes, CancellationToken cancellationToken)
    {
        var held = await uploads.HoldUploadBytesAsync(registryId, uploadId, neededBytes, wantedBytes, time.GetUtcNow(), cancellationToken)
            ?? throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload session ended (cancelled, or its registry was deleted)");
        return held >= neededBytes ? held : throw await ExceededAsync(registryId, neededBytes - held, cancellationToken);
    }

    /// <summary>The error for <paramref name="incomingBytes"/> more that the registry had no room for.</summary>
    public async Task<OciException> ExceededAsync(string registryId, long incomingBytes, CancellationToken cancellationToken)
    {
        var registry = await tenants.GetRegistryByIdAsync(registryId, cancellationToken)
            ?? throw new OciException(OciErrorCode.NameUnknown, "registry not found");
        var usage = await artifacts.GetUsageAsync(registryId, cancellationToken);
        var limit = registry.StorageLimitBytes;
        var held = usage.UploadBytes > 0 ? $" ({ByteSize.Format(usage.StorageUsageBytes)} stored, {ByteSize.Format(usage.UploadBytes)} held by uploads in progress)" : "";
        return new OciException(OciErrorCode.Denied,
            $"storage limit exceeded: the registry uses {ByteSize.Format(usage.TotalBytes)} of its {ByteSize.Format(limit)} allocation{held} " +
            $"and this push needs {ByteSize.Format(incomingBytes)} more; delete images, cancel unfinished uploads or resize the registry",
            new Dictionary<string, long>
            {
                ["storageUsageBytes"] = usage.StorageUsageBytes,
                ["uploadBytes"] = usage.UploadBytes,
                ["storageLimitBytes"] = limit,
                ["requiredBytes"] = incomingBytes,
            });
    }

    /// <summary>True when the registry no longer exists (to explain storage errors during a delete).</summary>
    public async Task<bool> RegistryGoneAsync(string registryId) =>
        await tenants.GetRegistryByIdAsync(registryId, CancellationToken.None) is null;
}
