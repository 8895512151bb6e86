namespace Berth.Core.Metadata;

public sealed record ManifestPullStats(string ManifestDigest, long PullCount, DateTimeOffset? LastPulledAt);
