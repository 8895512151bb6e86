using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>One manifest in full: what it is made of, what refers to it, and its exact JSON.</summary>
public sealed record ManifestDetailView(
    string Digest,
    string MediaType,
    string ArtifactType,
    string? DeclaredArtifactType,
    IReadOnlyList<string> Tags,
    long SizeBytes,
    IReadOnlyList<string> Platforms,
    DateTimeOffset PushedAt,
    long PullCount,
    DateTimeOffset? LastPulledAt,
    ConfigView? Config,
    IReadOnlyList<LayerView> Layers,
    IReadOnlyList<IndexChildView> Manifests,
    string? SubjectDigest,
    IReadOnlyDictionary<string, string>? Annotations,
    IReadOnlyList<ReferrerView> Referrers,
    string ScanStatus,
    ScanSummary? Vulnerabilities,
    string RawManifest);
