namespace Berth.Core.Metadata;

/// <summary>
/// Pulls of a whole registry (in total, the last 24 hours and 7 days, the last pull) and its most recently pulled
/// repositories, at most as many as asked for.
/// </summary>
public sealed record RegistryPullSummary(
    long PullsLast24Hours, long PullsLast7Days, DateTimeOffset? LastPulledAt, IReadOnlyList<RepositoryPullStats> RecentRepositories);
