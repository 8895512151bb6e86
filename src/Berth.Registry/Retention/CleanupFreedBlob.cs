namespace Berth.Registry.Retention;

/// <summary>A blob a cleanup plan frees (counted once), and the planned manifests that are its last references.</summary>
public sealed record CleanupFreedBlob(string Digest, long Size, IReadOnlyCollection<(long RepositoryId, string Digest)> Manifests);
