using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// A manifest of a repository. <see cref="ArtifactType"/> is a kind: <c>image</c>, <c>index</c>, <c>signature</c>,
/// <c>sbom</c> or <c>other</c>. <see cref="SizeBytes"/> is the manifest plus its blobs (an index: plus its children's).
/// <see cref="ConfigUnreadable"/> says why the image config read for the platform could not be read (null: it could, or
/// it was not needed). <see cref="ParentDigest"/> is the manifest a listing shows it under: the index that lists it (a
/// platform image) or its subject (a signature, an SBOM, an attestation); null for a top-level artifact.
/// </summary>
public sealed record ArtifactView(
    string Digest,
    IReadOnlyList<string> Tags,
    string ArtifactType,
    string MediaType,
    long SizeBytes,
    IReadOnlyList<string> Platforms,
    DateTimeOffset PushedAt,
    DateTimeOffset? LastPulledAt,
    long PullCount,
    string ScanStatus,
    ScanSummary? Vulnerabilities,
    string? SubjectDigest,
    string? ConfigUnreadable,
    string? ParentDigest = null);
