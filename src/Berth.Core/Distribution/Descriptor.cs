namespace Berth.Core.Distribution;

public sealed record Descriptor(string MediaType, Digest Digest, long Size, string? ArtifactType = null,
    IReadOnlyDictionary<string, string>? Annotations = null, Platform? Platform = null);
