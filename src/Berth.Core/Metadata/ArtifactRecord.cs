namespace Berth.Core.Metadata;

/// <summary>A manifest of a repository with the tags that point to it (in ordinal order).</summary>
public sealed record ArtifactRecord(ManifestRecord Manifest, IReadOnlyList<string> Tags);
