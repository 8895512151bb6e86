namespace Berth.Core.Metadata;

/// <summary>A binned manifest purged for good, with the blobs it referred to (candidates to unlink and collect).</summary>
public sealed record PurgedManifest(string RegistryId, long RepositoryId, string Digest, IReadOnlyList<string> BlobDigests);
