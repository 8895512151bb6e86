using Berth.Core.Metadata;
using Berth.Registry.Hosting;

namespace Berth.Registry.Retention;

/// <summary>
/// Makes a registry's cleanup plan (a dry run is exactly this; a run executes it). Repository by repository: only
/// repositories the policy covers are read, one at a time, so memory grows with the largest repository and the plan,
/// never with the registry. Then one pass over the blobs the planned manifests use finds which no staying manifest of
/// the registry (in any repository, or in the recovery bin) still refers to.
/// </summary>
public sealed class CleanupPlanner(ICleanupStore store, TagImmutability immutability, IPendingPulls pulls, IOptions<BerthOptions> options,
    TimeProvider time)
{
    // Blob digests per reference query: one statement each, whatever the plan's size.
    private const int BlobChunk = 1000;

    public async Task<CleanupPlan> PlanAsync(RegistryRecord registry, CleanupPolicy policy, CancellationToken cancellationToken)
    {
        // Pulls this node served are counted in memory until the next flush: write them first so they protect.
        await pulls.FlushAsync(cancellationToken);
        var now = time.GetUtcNow();
        var protect = options.Value.Retention.ProtectPulledWithin;
        var immutable = await immutability.GetRulesAsync(registry.Id, cancellationToken);

        var evaluated = 0;
        var repositories = new List<(RepositoryRecord, RepositoryPlan)>();
        var blobs = new Dictionary<string, (long Size, HashSet<(long, string)> Manifests)>(StringComparer.Ordinal);
        foreach (var repository in await store.ListCleanupRepositoriesAsync(registry.Id, cancellationToken))
        {
            if (!policy.Covers(repository.Name))
            {
                continue;
            }

            evaluated++;
            var rules = policy.Rules.Where(r => r.Selector.MatchesRepository(repository.Name)).ToList();
            var contents = await store.GetCleanupContentsAsync(repository.Id, cancellationToken);
            var plan = RepositoryCleanup.Plan(contents, rules, policy.UntaggedOlderThanHours, now, protect,
                tag => immutable.Protecting(repository.Name, tag) is not null);
            if (plan.IsEmpty)
            {
                continue;
            }

            repositories.Add((repository, plan));
            foreach (var link in await store.ListCleanupBlobsAsync(repository.Id, plan.Manifests, cancellationToken))
            {
                if (!blobs.TryGetValue(link.BlobDigest, out var blob))
                {
                    blobs[link.BlobDigest] = blob = (link.Size, []);
                }

                blob.Manifests.Add((link.RepositoryId, link.ManifestDigest));
            }
        }

        return new CleanupPlan(now, evaluated, repositories, await FreedAsync(registry, blobs, cancellationToken));
    }

    /// <summary>Of the blobs the planned manifests use, those no other manifest of the registry (nor the bin) refers to.</summary>
    private async Task<List<CleanupFreedBlob>> FreedAsync(RegistryRecord registry, Dictionary<string, (long Size, HashSet<(long, string)> Manifests)> blobs,
        CancellationToken cancellationToken)
    {
        var freed = new List<CleanupFreedBlob>();
        foreach (var chunk in blobs.Keys.Order(StringComparer.Ordinal).Chunk(BlobChunk))
        {
            var staying = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reference in await store.ListBlobReferencesAsync(registry.Id, chunk, cancellationToken))
            {
                var planned = blobs[reference.BlobDigest].Manifests;
                if (reference.InBin || !planned.Contains((reference.RepositoryId, reference.ManifestDigest)))
                {
                    staying.Add(reference.BlobDigest);
                }
            }

            freed.AddRange(chunk.Where(d => !staying.Contains(d)).Select(d => new CleanupFreedBlob(d, blobs[d].Size, blobs[d].Manifests)));
        }

        return freed;
    }
}
