namespace Berth.Registry.Management;

public sealed record RepositoryPulls(string Name, long PullsLast24Hours, long PullsLast7Days, DateTimeOffset? LastPulledAt);
