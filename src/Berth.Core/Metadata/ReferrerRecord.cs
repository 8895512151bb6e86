namespace Berth.Core.Metadata;

/// <summary>A descriptor of a manifest that names another as its subject (the referrers API).</summary>
public sealed record ReferrerRecord(string Digest, string MediaType, long Size, string? ArtifactType, string? AnnotationsJson);
