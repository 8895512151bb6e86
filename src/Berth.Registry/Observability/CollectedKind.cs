namespace Berth.Registry.Observability;

/// <summary>What the collector removed (the <c>kind</c> tag of <c>berth.collection.blobs_removed</c>).</summary>
public enum CollectedKind
{
    /// <summary>A blob no manifest referred to any more (its links and then its record and content went).</summary>
    Unreferenced,

    /// <summary>A blob file in storage that no record accounted for.</summary>
    UntrackedFile,

    /// <summary>Upload data with no upload session.</summary>
    OrphanUpload,
}
