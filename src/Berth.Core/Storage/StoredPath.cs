using Berth.Core.Distribution;

namespace Berth.Core.Storage;

/// <summary>What a file of the registries tree is (see <see cref="BlobPaths.Parse"/>).</summary>
/// <param name="RegistryId">The registry whose tree holds it.</param>
/// <param name="Kind">A blob's content or an upload's data.</param>
/// <param name="Digest">The blob's digest (blobs only).</param>
/// <param name="UploadId">The upload's id (uploads only): a session's, or a monolithic upload's staging.</param>
public sealed record StoredPath(string RegistryId, StoredPathKind Kind, Digest? Digest, string? UploadId);

public enum StoredPathKind
{
    Blob,
    Upload,
}
