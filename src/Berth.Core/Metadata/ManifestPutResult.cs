namespace Berth.Core.Metadata;

/// <summary>What <see cref="ITagImmutabilityStore.PutManifestProtectingTagAsync"/> did.</summary>
public enum ManifestPutResult
{
    Stored,

    /// <summary>A blob the manifest names is no longer linked into the repository: nothing stored.</summary>
    BlobMissing,

    /// <summary>The protected tag points at another manifest: nothing stored.</summary>
    TagImmutable,
}
