namespace Berth.Core.Metadata;

/// <summary>A removed manifest: the tags that went with it, and the blobs it referred to (what may be unreferenced now).</summary>
public sealed record ManifestRemoval(IReadOnlyList<string> Tags, IReadOnlyList<string> BlobDigests);
