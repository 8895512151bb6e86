using Berth.Core.Metadata;
using Berth.Registry.Hosting;

namespace Berth.Registry.Retention;

/// <summary>
/// Executes a cleanup: the plan at time T (exactly what a dry run at T lists), then each planned deletion through
/// <see cref="ArtifactBin"/>'s guarded deletes, which recheck at that moment that the tag still points at the planned
/// manifest, that a manifest is still untagged and in no live index, that neither was pulled since
/// T − <c>ProtectPulledWithin</c>, and that no immutability rule came to protect the tag: a refused guard is a skipped
/// deletion, never an error. Tags go first, then manifests in the plan's order (referrers before subjects, an index
/// before its children). A repository that fails is recorded and the others still run.
/// </summary>
public sealed partial class CleanupRunner(CleanupPlanner planner, ArtifactBin bin, IPendingPulls pulls, IOptions<BerthOptions> options, TimeProvider time,
    ILogger<CleanupRunner> logger)
{
    public const string Succeeded = "succeeded";

    public const string Failed = "failed";

    public async Task<CleanupRunOutcome> RunAsync(RegistryRecord registry, CleanupPolicy policy, CancellationToken cancellationToken) =>
        await ExecuteAsync(registry, await planner.PlanAsync(registry, policy, cancellationToken), cancellationToken);

    /// <summary>Deletes what <paramref name="plan"/> lists, each deletion guarded as of the plan's time.</summary>
    public async Task<CleanupRunOutcome> ExecuteAsync(RegistryRecord registry, CleanupPlan plan, CancellationToken cancellationToken)
    {
        var notPulledSince = plan.At - options.Value.Retention.ProtectPulledWithin;
        var deleted = new HashSet<(long, string)>();
        var errors = new List<string>();
        long tags = 0, manifests = 0, skipped = 0;
        foreach (var (repository, repositoryPlan) in plan.Repositories)
        {
            long repositoryTags = 0, repositoryManifests = 0, repositorySkipped = 0;
            try
            {
                // A pull this node served since the plan must stop the deletion: the guards read the flushed counts.
                await pulls.FlushAsync(cancellationToken);
                foreach (var tag in repositoryPlan.Tags)
                {
                    if (await bin.DeletePlannedTagAsync(registry, repository, tag.Name, tag.ManifestDigest, notPulledSince, cancellationToken))
                    {
                        repositoryTags++;
                    }
                    else
                    {
                        repositorySkipped++;
                    }
                }

                foreach (var digest in repositoryPlan.Manifests)
                {
                    if (await bin.DeletePlannedManifestAsync(registry, repository, digest, notPulledSince, cancellationToken))
                    {
                        repositoryManifests++;
                        deleted.Add((repository.Id, digest));
                    }
                    else
                    {
                        repositorySkipped++;
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors.Add($"{repository.Name}: {ex.Message}");
                LogRepositoryFailed(logger, ex, registry.Name, repository.Name);
            }

            LogRepository(logger, registry.Name, repository.Name, repositoryPlan.Tags.Count + repositoryPlan.Manifests.Count, repositoryTags,
                repositoryManifests, repositorySkipped, repositoryPlan.Protected.Count);
            tags += repositoryTags;
            manifests += repositoryManifests;
            skipped += repositorySkipped;
        }

        // The plan's figure, less the blobs a skipped (or failed) manifest delete still holds.
        var bytesFreed = plan.BytesFreedBy((repositoryId, digest) => deleted.Contains((repositoryId, digest)));
        LogRun(logger, registry.Name, plan.RepositoriesEvaluated, tags, manifests, skipped, bytesFreed, errors.Count);
        return new CleanupRunOutcome(errors.Count == 0 ? Succeeded : Failed, time.GetUtcNow(), tags, manifests, skipped, bytesFreed, errors);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Cleanup of {Registry}/{Repository}: {Candidates} planned, {Tags} tags and {Manifests} manifests deleted, {Skipped} skipped, {Protected} protected")]
    private static partial void LogRepository(ILogger logger, string registry, string repository, int candidates, long tags, long manifests, long skipped,
        int @protected);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cleanup of {Registry}/{Repository} failed; the other repositories still run")]
    private static partial void LogRepositoryFailed(ILogger logger, Exception exception, string registry, string repository);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Cleanup of {Registry}: {Evaluated} repositories evaluated, {Tags} tags and {Manifests} manifests deleted, {Skipped} skipped, {Bytes} bytes freed once purged, {Errors} errors")]
    private static partial void LogRun(ILogger logger, string registry, int evaluated, long tags, long manifests, long skipped, long bytes, int errors);
}
