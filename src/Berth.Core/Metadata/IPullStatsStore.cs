namespace Berth.Core.Metadata;

/// <summary>Pull statistics for the dashboard (pull count, last pull, the delete dialog's safety report).</summary>
public interface IPullStatsStore
{
    /// <summary>Adds a batch of counts (additive: the same key twice adds up; last pull is the later one).</summary>
    Task RecordPullsAsync(IReadOnlyList<PullCount> pulls, CancellationToken cancellationToken);

    /// <summary>Per manifest of the repository: total pulls and last pull.</summary>
    Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>Per repository of the registry, every repository listed (zeros when never pulled), in one query.</summary>
    Task<IReadOnlyList<RepositoryPullStats>> GetRepositoryPullStatsAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken);
}
