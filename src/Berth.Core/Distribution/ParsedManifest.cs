namespace Berth.Core.Distribution;

/// <summary>A manifest that passed syntactic validation; the registry still checks its references exist.</summary>
public sealed record ParsedManifest(
    string MediaType,
    string? ArtifactType,
    Descriptor? Subject,
    Descriptor? Config,
    IReadOnlyList<ManifestReference> References,
    IReadOnlyDictionary<string, string>? Annotations);
