namespace Berth.Core.Metadata;

/// <summary>
/// A manifest referring to a blob: <see cref="RepositoryId"/> and <see cref="ManifestDigest"/> name the manifest,
/// <see cref="InBin"/> tells a manifest of the recovery bin (its blobs stay until it is purged).
/// </summary>
public sealed record CleanupBlobLink(long RepositoryId, string ManifestDigest, string BlobDigest, long Size, bool InBin);
