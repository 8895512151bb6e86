namespace Berth.Core.Metadata;

/// <summary>Cleanup policies and runs, and the reads a cleanup plan is made from (one repository at a time).</summary>
public interface ICleanupStore
{
    Task<CleanupPolicyRecord?> GetCleanupPolicyAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the registry's policy; false when the registry is gone.</summary>
    Task<bool> SetCleanupPolicyAsync(CleanupPolicyRecord policy, CancellationToken cancellationToken);

    /// <summary>False when there was no policy.</summary>
    Task<bool> DeleteCleanupPolicyAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Policies of live registries due at <paramref name="now"/>, the longest overdue first.</summary>
    Task<IReadOnlyList<CleanupPolicyRecord>> ListDueCleanupPoliciesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a due policy's next run from <paramref name="expected"/> to <paramref name="nextRunAt"/> only if it still is
    /// <paramref name="expected"/> (compare-and-set): of the nodes trying at once, exactly one gets true and runs it.
    /// </summary>
    Task<bool> ClaimCleanupPolicyAsync(string registryId, DateTimeOffset expected, DateTimeOffset? nextRunAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records a new running run; null when the registry already has one running (at most one per registry). A running
    /// run whose heartbeat is older than <paramref name="staleBefore"/> is first marked interrupted.
    /// </summary>
    Task<CleanupRunRecord?> StartCleanupRunAsync(string registryId, string trigger, DateTimeOffset now, DateTimeOffset staleBefore,
        CancellationToken cancellationToken);

    /// <summary>Moves the heartbeat of those of <paramref name="runIds"/> still running to <paramref name="now"/>.</summary>
    Task HeartbeatCleanupRunsAsync(IReadOnlyCollection<long> runIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records how a running run ended; false when it no longer was running (marked interrupted meanwhile).</summary>
    Task<bool> FinishCleanupRunAsync(long runId, CleanupRunOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Marks interrupted every running run whose heartbeat is older than <paramref name="staleBefore"/>; how many.</summary>
    Task<int> InterruptStaleCleanupRunsAsync(DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken);

    Task<CleanupRunRecord?> GetCleanupRunAsync(string registryId, long runId, CancellationToken cancellationToken);

    /// <summary>The registry's runs, newest first, with an id below <paramref name="beforeId"/> when given.</summary>
    Task<IReadOnlyList<CleanupRunRecord>> ListCleanupRunsAsync(string registryId, long? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>The registry's live repositories (id and name), by name: the planner reads only those a rule covers.</summary>
    Task<IReadOnlyList<RepositoryRecord>> ListCleanupRepositoriesAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>One repository's tags, manifests (with their last pull) and index-to-child links.</summary>
    Task<CleanupRepositoryContents> GetCleanupContentsAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>The blobs (not child manifests) the given manifests of the repository refer to.</summary>
    Task<IReadOnlyList<CleanupBlobLink>> ListCleanupBlobsAsync(long repositoryId, IReadOnlyCollection<string> manifestDigests, CancellationToken cancellationToken);

    /// <summary>
    /// Every manifest of the registry (any live repository, and the recovery bin) that refers to one of
    /// <paramref name="blobDigests"/>.
    /// </summary>
    Task<IReadOnlyList<CleanupBlobLink>> ListBlobReferencesAsync(string registryId, IReadOnlyCollection<string> blobDigests, CancellationToken cancellationToken);
}
