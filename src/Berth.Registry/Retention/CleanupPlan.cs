using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Registry.Retention;

/// <summary>
/// A registry's cleanup plan at <see cref="At"/>: how many repositories the policy covered; for each with anything to
/// do, what goes and what is kept; and the blobs freed once the planned manifests are purged, each with the planned
/// manifests referring to it (so a run that skips some of them counts only the blobs all of whose manifests it did
/// delete).
/// </summary>
public sealed record CleanupPlan(
    DateTimeOffset At,
    int RepositoriesEvaluated,
    IReadOnlyList<(RepositoryRecord Repository, RepositoryPlan Plan)> Repositories,
    IReadOnlyList<CleanupFreedBlob> FreedBlobs)
{
    public long BytesFreed => FreedBlobs.Sum(b => b.Size);

    /// <summary>The bytes freed when only the manifests <paramref name="deleted"/> accepts are gone.</summary>
    public long BytesFreedBy(Func<long, string, bool> deleted) =>
        FreedBlobs.Where(b => b.Manifests.All(m => deleted(m.RepositoryId, m.Digest))).Sum(b => b.Size);

    public CleanupDryRunResponse ToResponse() => new(
        [.. Repositories.SelectMany(r => r.Plan.Tags.Select(t => new CleanupTagView(r.Repository.Name, t.Name, t.ManifestDigest)))],
        [.. Repositories.SelectMany(r => r.Plan.Manifests.Select(d => new CleanupManifestView(r.Repository.Name, d)))],
        [.. Repositories.SelectMany(r => r.Plan.Protected.Select(p => new CleanupProtectedView(r.Repository.Name, p.Reference, p.Reason)))],
        BytesFreed);
}
