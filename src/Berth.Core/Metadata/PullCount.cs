namespace Berth.Core.Metadata;

/// <summary>Pulls counted in memory and flushed in batches: one row per (repository, manifest, hour).</summary>
public sealed record PullCount(long RepositoryId, string ManifestDigest, DateTimeOffset HourStart, long Count, DateTimeOffset LastPulledAt);
