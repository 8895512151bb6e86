using Berth.Registry.Auditing;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Berth.Registry.Storage;

namespace Berth.Registry.Retention;

/// <summary>
/// The one way anything deletes a tag or a manifest (<c>/v2</c> DELETE, the API, the dashboard, cleanup), and the
/// recovery bin behind it. With <see cref="RetentionOptions.RecoveryWindow"/> above zero, deleted tags and manifests stay
/// restorable that long: a binned manifest keeps its blobs linked and counted against the allocation until the collector
/// purges it (<see cref="PurgeExpiredAsync"/>). With zero a delete is final at once and frees the blobs only that
/// manifest used. Callers audit their deletes (they know the actor); restores are audited here.
/// </summary>
public sealed class ArtifactBin(
    IArtifactBinStore bin,
    IArtifactStore artifacts,
    RegistryBlobStore blobs,
    RegistryAudit audit,
    TagImmutability immutability,
    UsageNoticeAudit usageNotices,
    IOptions<BerthOptions> options,
    TimeProvider time)
{
    /// <summary>Expired bin entries dropped per transaction.</summary>
    private const int PurgeBatch = 100;

    /// <summary>How long deletes stay restorable (zero: not at all).</summary>
    public TimeSpan RecoveryWindow => options.Value.Retention.RecoveryWindow;

    /// <summary>Untag (the manifest stays). False: no such tag.</summary>
    /// <exception cref="ImmutableTagException">an immutability rule protects the tag</exception>
    public async Task<bool> DeleteTagAsync(RegistryRecord registry, RepositoryRecord repository, string tag, CancellationToken ct)
    {
        await immutability.EnsureTagDeletableAsync(registry.Id, repository.Name, tag, ct);
        var now = time.GetUtcNow();
        return await bin.RemoveTagAsync(repository.Id, tag, null, now, ExpiresAt(now), ct) is not null;
    }

    /// <summary>Manifest with its tags. False: no such manifest.</summary>
    /// <exception cref="ImmutableTagException">an immutability rule protects one of its tags</exception>
    public async Task<bool> DeleteManifestAsync(RegistryRecord registry, RepositoryRecord repository, string digest, CancellationToken ct)
    {
        // Checked before the removal, not in its transaction: a protected tag put on the manifest in between (a push
        // racing the delete) goes with it, as it would had the push come a moment after the delete.
        await immutability.EnsureManifestDeletableAsync(registry.Id, repository, digest, ct);
        return await RemoveManifestAsync(registry, repository, digest, null, ct);
    }

    /// <summary>
    /// Cleanup's guarded untag: only while the tag still points at <paramref name="digest"/> and that manifest was not
    /// pulled at or after <paramref name="notPulledSince"/>, and no immutability rule protects the tag. False when the
    /// guard refused (skipped).
    /// </summary>
    public async Task<bool> DeletePlannedTagAsync(RegistryRecord registry, RepositoryRecord repository, string tag, string digest,
        DateTimeOffset notPulledSince, CancellationToken ct)
    {
        if ((await immutability.GetRulesAsync(registry.Id, ct)).Protecting(repository.Name, tag) is not null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        return await bin.RemoveTagAsync(repository.Id, tag, new RemovalGuard(digest, notPulledSince), now, ExpiresAt(now), ct) is not null;
    }

    /// <summary>
    /// Cleanup's guarded manifest delete: only while it is untagged, listed by no live index and not pulled at or after
    /// <paramref name="notPulledSince"/>. False when the guard refused (skipped).
    /// </summary>
    public Task<bool> DeletePlannedManifestAsync(RegistryRecord registry, RepositoryRecord repository, string digest, DateTimeOffset notPulledSince,
        CancellationToken ct) =>
        RemoveManifestAsync(registry, repository, digest, notPulledSince, ct);

    /// <summary>
    /// Restores a binned tag (<c>repo:tag</c>: with its manifest, and an index's binned children) or a binned manifest
    /// (<c>repo@digest</c>), in one transaction, and audits it. 404 when not in the bin (or expired, or its content is
    /// gone); 409 when a live tag of that name points at another manifest.
    /// </summary>
    public async Task<BinEntry> RestoreAsync(RegistryRecord registry, string repository, string reference, AuditActor actor, CancellationToken ct)
    {
        var record = (RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null)
            ?? throw NotInBin(repository, reference);
        var now = time.GetUtcNow();
        BinRestore result;
        string action;
        string subject;
        if (Digest.TryParse(reference, out var digest))
        {
            result = await bin.RestoreManifestAsync(record.Id, digest.ToString(), now, ct);
            (action, subject) = ("manifest.restored", $"{repository}@{digest}");
        }
        else if (RepositoryName.IsValidTag(reference))
        {
            result = await bin.RestoreTagAsync(record.Id, reference, now, ct);
            (action, subject) = ("tag.restored", $"{repository}:{reference}");
        }
        else
        {
            throw NotInBin(repository, reference);
        }

        switch (result.Status)
        {
            case BinRestoreStatus.TagTaken:
                throw new ManagementException(StatusCodes.Status409Conflict, "Tag in use",
                    $"Tag '{reference}' of '{repository}' now points at {result.ConflictingDigest}. Delete or move that tag first to restore the deleted one.");
            case BinRestoreStatus.ContentGone:
                throw new ManagementException(StatusCodes.Status404NotFound, "Not restorable",
                    $"'{subject}' can't be restored: {result.MissingDigest}, which it needs, is no longer held (purged after its recovery window).");
            case BinRestoreStatus.NotFound:
                throw NotInBin(repository, reference);
        }

        await audit.AuditAsync(registry, actor, action, subject, CancellationToken.None);
        return result.Entry!;
    }

    /// <summary>A page of the registry's bin, newest first (of one repository when given).</summary>
    public Task<ListPage<BinEntry>> ListAsync(RegistryRecord registry, string? repository, ListPageRequest request, CancellationToken ct) =>
        bin.ListBinAsync(registry.Id, repository, request, time.GetUtcNow(), ct);

    /// <summary>What the registries' bins hold, in one query.</summary>
    public async Task<IReadOnlyDictionary<string, BinCounts>> CountAsync(IReadOnlyCollection<string> registryIds, CancellationToken ct) =>
        await bin.CountBinAsync(registryIds, ct);

    public async Task<BinCounts> CountAsync(RegistryRecord registry, CancellationToken ct) =>
        (await bin.CountBinAsync([registry.Id], ct)).GetValueOrDefault(registry.Id, BinCounts.Empty);

    /// <summary>
    /// Drops every bin entry whose window has passed, a batch per transaction, and frees the blobs nothing references
    /// any more (the collector's first step each run).
    /// </summary>
    public async Task<BinPurgeTotals> PurgeExpiredAsync(CancellationToken ct)
    {
        var totals = new BinPurgeTotals();
        while (true)
        {
            var batch = await bin.PurgeExpiredBinAsync(time.GetUtcNow(), PurgeBatch, ct);
            totals.Tags += batch.Tags;
            totals.Manifests += batch.Manifests.Count;
            foreach (var manifest in batch.Manifests)
            {
                totals.BytesFreed += await ReleaseBlobsAsync(manifest.RegistryId, manifest.RepositoryId, manifest.BlobDigests);
            }

            // Purged manifests stop counting against their registries' allocations.
            foreach (var registryId in batch.Manifests.Select(m => m.RegistryId).Distinct(StringComparer.Ordinal))
            {
                await usageNotices.CheckAsync(registryId, ct);
            }

            if (batch.Tags < PurgeBatch && batch.Manifests.Count < PurgeBatch)
            {
                return totals;
            }
        }
    }

    private async Task<bool> RemoveManifestAsync(RegistryRecord registry, RepositoryRecord repository, string digest, DateTimeOffset? notPulledSince,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expiresAt = ExpiresAt(now);
        if (await bin.RemoveManifestAsync(repository.Id, digest, notPulledSince, now, expiresAt, ct) is not { } removal)
        {
            return false;
        }

        if (expiresAt is null)
        {
            // Final at once: finish releasing its blobs even when the caller goes away.
            await ReleaseBlobsAsync(registry.Id, repository.Id, removal.BlobDigests);
            await usageNotices.CheckAsync(registry.Id, CancellationToken.None);
        }

        return true;
    }

    /// <summary>
    /// Unlinks those of a removed manifest's blobs that nothing in the repository references any more (live or binned),
    /// then collects the ones no repository links. Only its own blobs are candidates, so blobs of a push in progress
    /// (uploaded, manifest not yet written) are never touched, nor links a client checked within the collection grace
    /// (a push in progress relies on them: the collector takes them later if no manifest claims them). The bytes freed.
    /// </summary>
    private async Task<long> ReleaseBlobsAsync(string registryId, long repositoryId, IReadOnlyList<string> candidates)
    {
        var freed = 0L;
        var checkedBefore = time.GetUtcNow() - options.Value.Collection.GracePeriod;
        foreach (var unlinked in await artifacts.UnlinkUnreferencedBlobsAsync(repositoryId, candidates, DateTimeOffset.MaxValue, checkedBefore, CancellationToken.None))
        {
            freed += await blobs.CollectIfUnreferencedAsync(registryId, Digest.Parse(unlinked), CancellationToken.None) ?? 0;
        }

        return freed;
    }

    private DateTimeOffset? ExpiresAt(DateTimeOffset now) => RecoveryWindow > TimeSpan.Zero ? now + RecoveryWindow : null;

    private static ManagementException NotInBin(string repository, string reference) =>
        new(StatusCodes.Status404NotFound, "Not in the recovery bin",
            $"'{repository}{(Digest.LooksLikeDigest(reference) ? "@" : ":")}{reference}' is not among the recently deleted tags and manifests (or its recovery window has passed).");
}
