namespace Berth.Core.Metadata;

/// <summary>
/// A manifest as cleanup plans with it: when it was pushed, when a tag last stopped pointing at it (null: never
/// happened), its subject when it is a referrer, its size, and its last pull (null: never pulled, or not yet flushed).
/// </summary>
public sealed record CleanupManifest(
    string Digest,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UntaggedAt,
    string? SubjectDigest,
    long Size,
    DateTimeOffset? LastPulledAt);
