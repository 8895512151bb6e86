namespace Berth.Core.Metadata;

/// <summary>
/// The tag immutability rules of registries (one JSON document per registry, parsed by the registry layer), and the
/// manifest write that refuses to move a protected tag.
/// </summary>
public interface ITagImmutabilityStore
{
    /// <summary>The registry's rules as stored, or null when it has none.</summary>
    Task<TagImmutabilityRecord?> GetTagImmutabilityAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the registry's rules (<paramref name="rulesJson"/> null removes them). False when the registry does not
    /// exist (or is deleted).
    /// </summary>
    Task<bool> SetTagImmutabilityAsync(string registryId, string? rulesJson, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="IArtifactStore.PutManifestAsync"/> for a tag an immutability rule protects: in the same transaction,
    /// the tag is created, or left as it is when it already points at this manifest, and
    /// <see cref="ManifestPutResult.TagImmutable"/> (nothing stored) when it points at another one. Two concurrent pushes
    /// of different manifests to a new protected tag can't both win: the second waits for the first's tag row.
    /// </summary>
    Task<ManifestPutResult> PutManifestProtectingTagAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string tag, DateTimeOffset now, CancellationToken cancellationToken);
}
