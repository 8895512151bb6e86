namespace Berth.Core.Metadata;

/// <summary>One purge batch: how many binned tags went, and the binned manifests dropped.</summary>
public sealed record BinPurge(int Tags, IReadOnlyList<PurgedManifest> Manifests);
