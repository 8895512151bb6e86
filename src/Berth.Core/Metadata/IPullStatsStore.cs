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

    /// <summary>Total pulls and last pull of those of <paramref name="digests"/> that are manifests of the repository, in one query.</summary>
    Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>
    /// The registry's pull totals and its <paramref name="top"/> most recently pulled repositories, in one query over
    /// its pull counts (never one row per repository).
    /// </summary>
    Task<RegistryPullSummary> GetRegistryPullSummaryAsync(string registryId, DateTimeOffset now, int top, CancellationToken cancellationToken);
}
