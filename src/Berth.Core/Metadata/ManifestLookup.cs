namespace Berth.Core.Metadata;

/// <summary>
/// A manifest looked up by repository name and reference: the repository's id (it exists) and the manifest, null
/// when the repository has no manifest by that reference.
/// </summary>
public sealed record ManifestLookup(long RepositoryId, ManifestRecord? Manifest);
