namespace Berth.Core.Metadata;

/// <summary>A blob linked into a repository (with the blob's size), as the collector lists them.</summary>
public sealed record BlobLink(string RegistryId, long RepositoryId, string Digest, long Size);
