using Berth.Core.Distribution;

namespace Berth.Core.Storage;

/// <summary>What a stored file of a registry's tree is, as the storage layout names it (a storage sweep lists these).</summary>
/// <param name="RegistryId">The registry whose tree holds it.</param>
/// <param name="Kind">A blob's content or an upload's data.</param>
/// <param name="Digest">The blob's digest (blobs only).</param>
/// <param name="UploadId">The upload's id (uploads only): a session's, or a monolithic upload's staging.</param>
public sealed record StoredPath(string RegistryId, StoredPathKind Kind, Digest? Digest, string? UploadId);
