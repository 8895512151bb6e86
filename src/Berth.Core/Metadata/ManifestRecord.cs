namespace Berth.Core.Metadata;

/// <summary>A stored manifest. <see cref="Content"/> is the exact bytes pushed (their digest is <see cref="Digest"/>).</summary>
public sealed record ManifestRecord(
    string Digest,
    string MediaType,
    byte[] Content,
    string? ArtifactType,
    string? SubjectDigest,
    DateTimeOffset CreatedAt);
