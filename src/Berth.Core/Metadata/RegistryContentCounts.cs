namespace Berth.Core.Metadata;

/// <summary>What a registry holds, counted: live repositories, and the tags and manifests in them.</summary>
public sealed record RegistryContentCounts(int Repositories, int Tags, int Manifests);
