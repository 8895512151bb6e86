namespace Berth.Core.Metadata;

/// <summary>Pull figures of a repository: in total, and in the last 24 hours and 7 days (hour granularity).</summary>
public sealed record RepositoryPullStats(string Repository, long PullCount, DateTimeOffset? LastPulledAt, long PullsLast24Hours, long PullsLast7Days);
