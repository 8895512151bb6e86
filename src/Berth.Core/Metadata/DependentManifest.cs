namespace Berth.Core.Metadata;

/// <summary>A manifest of the repository shown under <see cref="ParentDigest"/>: a child of that index, or a referrer of it.</summary>
public sealed record DependentManifest(string ParentDigest, DependentKind Kind, ManifestRecord Manifest);
