using Berth.Registry.Auditing;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;
using Berth.Registry.Retention;
using Berth.Registry.Storage;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Collection;

/// <summary>
/// Collects, once older than <see cref="CollectionOptions.GracePeriod"/>, what nothing refers to: blobs linked into a
/// repository that no manifest of it references (pushes refused or interrupted before their manifest), on every run;
/// and crash leftovers found by a sweep of the whole storage every <see cref="CollectionOptions.StorageSweepInterval"/>
/// (blob files with no record, upload data with no session, blob records no repository links). A link's age is the
/// later of its creation and the last time a push relied on it (<see cref="IArtifactStore.CheckRepositoryBlobAsync"/>),
/// and its removal is serialised with manifest PUTs by the store; blob files are only deleted under the blob's lock
/// after checking again that no record appeared, the lock <see cref="RegistryBlobStore.CommitUploadAsync"/> holds from
/// moving content into place until it is recorded. Each run first purges the recovery bin entries whose window has
/// passed (<see cref="ArtifactBin.PurgeExpiredAsync"/>), freeing what only they held. Safe on several nodes at once.
/// </summary>
public sealed partial class BlobCollector(
    IArtifactStore artifacts,
    IUploadStore uploads,
    ITenantStore tenants,
    RegistryBlobStore blobs,
    UploadSessions sessions,
    UsageNoticeAudit usageNotices,
    ArtifactBin bin,
    BerthMetrics metrics,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<BlobCollector> logger) : BackgroundService
{
    /// <summary>Paths checked against the metadata store per query.</summary>
    private const int Batch = 500;

    private readonly CollectionOptions _options = options.Value.Collection;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        var nextSweep = time.GetUtcNow();
        do
        {
            var sweep = time.GetUtcNow() >= nextSweep;
            try
            {
                await CollectAsync(sweep, stoppingToken);
                if (sweep)
                {
                    nextSweep = time.GetUtcNow() + _options.StorageSweepInterval;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One run; with <paramref name="sweepStorage"/> it also lists the whole storage for crash leftovers.</summary>
    public async Task CollectAsync(bool sweepStorage, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var before = time.GetUtcNow() - _options.GracePeriod;
        var tally = new Tally();
        var purged = await bin.PurgeExpiredAsync(cancellationToken);
        if (purged.Tags + purged.Manifests > 0)
        {
            LogBinPurged(logger, purged.Tags, purged.Manifests, purged.BytesFreed);
        }

        await CollectUnreferencedLinksAsync(before, tally, cancellationToken);
        if (sweepStorage)
        {
            await SweepStorageAsync(before, tally, cancellationToken);
        }

        // Freed bytes may take a registry back under a usage threshold.
        foreach (var registryId in tally.FreedIn)
        {
            await usageNotices.CheckAsync(registryId, cancellationToken);
        }

        metrics.CollectionRun();
        foreach (var (kind, count, bytes) in tally.Entries())
        {
            metrics.CollectionRemoved(kind, count, bytes);
        }

        LogRun(logger, sweepStorage, tally.LinksRemoved, tally.Count(CollectedKind.Unreferenced), tally.Count(CollectedKind.UntrackedFile),
            tally.Count(CollectedKind.OrphanUpload), tally.TotalBytes, time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Unlinks what no manifest of its repository references, then collects the blobs no repository links any more.</summary>
    private async Task CollectUnreferencedLinksAsync(DateTimeOffset before, Tally tally, CancellationToken cancellationToken)
    {
        BlobLink? after = null;
        while (true)
        {
            var page = await artifacts.ListUnreferencedLinksAsync(before, after, Batch, cancellationToken);
            foreach (var repository in page.GroupBy(l => (l.RegistryId, l.RepositoryId)))
            {
                // The store checks again, atomically: a link relied on or referenced since the listing stays.
                var unlinked = await artifacts.UnlinkUnreferencedBlobsAsync(repository.Key.RepositoryId, repository.Select(l => l.Digest).ToList(),
                    before, before, cancellationToken);
                tally.LinksRemoved += unlinked.Count;
                foreach (var digest in unlinked)
                {
                    if (await blobs.CollectIfUnreferencedAsync(repository.Key.RegistryId, Digest.Parse(digest), cancellationToken) is { } freed)
                    {
                        tally.Add(CollectedKind.Unreferenced, freed);
                        tally.FreedIn.Add(repository.Key.RegistryId);
                    }
                }
            }

            if (page.Count < Batch)
            {
                return;
            }

            after = page[^1];
        }
    }

    /// <summary>
    /// Lists every file of the registries tree and checks them against the store a batch at a time. Registries with no
    /// record are left alone: their whole tree is the purger's.
    /// </summary>
    private async Task SweepStorageAsync(DateTimeOffset before, Tally tally, CancellationToken cancellationToken)
    {
        var registries = new Dictionary<string, bool>(StringComparer.Ordinal);
        var batch = new List<StoredPath>(Batch);
        await foreach (var stored in blobs.ListStoredAsync(cancellationToken))
        {
            batch.Add(stored);
            if (batch.Count == Batch)
            {
                await CheckBatchAsync(batch, registries, before, tally, cancellationToken);
                batch.Clear();
            }
        }

        await CheckBatchAsync(batch, registries, before, tally, cancellationToken);

        // Records whose links all went (a crash between the last unlink and the collection that should follow it).
        foreach (var (registryId, exists) in registries)
        {
            if (!exists)
            {
                continue;
            }

            foreach (var digest in await artifacts.ListUnreferencedBlobsAsync(registryId, cancellationToken))
            {
                if (await blobs.CollectIfUnreferencedAsync(registryId, Digest.Parse(digest), cancellationToken) is { } freed)
                {
                    tally.Add(CollectedKind.Unreferenced, freed);
                    tally.FreedIn.Add(registryId);
                }
            }
        }
    }

    private async Task CheckBatchAsync(List<StoredPath> batch, Dictionary<string, bool> registries, DateTimeOffset before, Tally tally,
        CancellationToken cancellationToken)
    {
        foreach (var group in batch.GroupBy(p => p.RegistryId, StringComparer.Ordinal))
        {
            var registryId = group.Key;
            if (!registries.TryGetValue(registryId, out var exists))
            {
                exists = await tenants.GetRegistryByIdAsync(registryId, cancellationToken) is not null;
                registries[registryId] = exists;
            }

            if (!exists)
            {
                continue;
            }

            var blobDigests = group.Where(p => p.Kind == StoredPathKind.Blob).Select(p => p.Digest!.Value).ToList();
            var recorded = await artifacts.GetRegistryBlobsAsync(registryId, blobDigests.Select(d => d.ToString()).ToList(), cancellationToken);
            foreach (var digest in blobDigests.Where(d => !recorded.Contains(d.ToString())))
            {
                if (await blobs.CollectUntrackedAsync(registryId, digest, before, cancellationToken) is { } freed)
                {
                    tally.Add(CollectedKind.UntrackedFile, freed);
                }
            }

            var uploadIds = group.Where(p => p.Kind == StoredPathKind.Upload).Select(p => p.UploadId!).ToList();
            var open = await uploads.GetExistingUploadsAsync(registryId, uploadIds, cancellationToken);
            foreach (var uploadId in uploadIds.Where(id => !open.Contains(id)))
            {
                if (await sessions.CollectOrphanAsync(registryId, uploadId, before, cancellationToken) is { } freed)
                {
                    tally.Add(CollectedKind.OrphanUpload, freed);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Collection run (storage sweep: {Swept}): removed {Links} unreferenced links, {Unreferenced} blobs nothing referred to, {UntrackedFiles} blob files with no record, {OrphanUploads} upload leftovers; {BytesFreed} bytes freed in {ElapsedMs:F0} ms")]
    private static partial void LogRun(ILogger logger, bool swept, int links, int unreferenced, int untrackedFiles, int orphanUploads, long bytesFreed, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Recovery bin: purged {Tags} deleted tags and {Manifests} deleted manifests past their recovery window; {BytesFreed} bytes freed")]
    private static partial void LogBinPurged(ILogger logger, int tags, int manifests, long bytesFreed);

    [LoggerMessage(Level = LogLevel.Error, Message = "A collection run failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    /// <summary>What one run removed, per kind.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<CollectedKind, (int Count, long Bytes)> _kinds = [];

        public int LinksRemoved { get; set; }

        /// <summary>Registries whose recorded usage went down (collected blobs they had records of).</summary>
        public HashSet<string> FreedIn { get; } = new(StringComparer.Ordinal);

        public long TotalBytes => _kinds.Values.Sum(k => k.Bytes);

        public void Add(CollectedKind kind, long bytes)
        {
            var (count, total) = _kinds.GetValueOrDefault(kind);
            _kinds[kind] = (count + 1, total + bytes);
        }

        public int Count(CollectedKind kind) => _kinds.GetValueOrDefault(kind).Count;

        public IEnumerable<(CollectedKind Kind, int Count, long Bytes)> Entries() => _kinds.Select(k => (k.Key, k.Value.Count, k.Value.Bytes));
    }
}
