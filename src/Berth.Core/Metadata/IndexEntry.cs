namespace Berth.Core.Metadata;

/// <summary>A manifest of the repository (an index) that lists <see cref="ChildDigest"/> as one of its manifests.</summary>
public sealed record IndexEntry(string ChildDigest, ManifestRecord Index);
