using Berth.Registry.Auditing;
using System.Threading.Channels;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Berth.Registry.Storage;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Management;

/// <summary>
/// Removes what deleted registries and repositories leave behind, in the background. A delete only renames and marks
/// the registry or repository (one short transaction, whatever it holds); this purger then removes its records in
/// batches of <see cref="RegistryDefaultsOptions.PurgeBatchSize"/> rows, one short transaction each with a pause
/// after it, so other tenants' writes get the database in between, and finally its stored content. The work left is
/// in the store (the marked rows, the queue of registry purges), so a purge interrupted by a crash or a kill is
/// resumed at the next start until nothing is left.
/// </summary>
public sealed partial class RegistryPurger(
    ITenantStore tenants,
    IArtifactStore artifacts,
    IMetadataStore store,
    RegistryBlobStore blobs,
    UsageNoticeAudit usageNotices,
    IOptions<BerthOptions> options,
    TimeProvider time,
    ILogger<RegistryPurger> logger) : BackgroundService
{
    /// <summary>How long a failed purge (database busy, storage unreachable) waits before it is tried again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Purges a deleted registry: its records, then its stored content.</summary>
    public void Enqueue(string registryId) => _queue.Writer.TryWrite(new Work(registryId, RepositoryId: null));

    /// <summary>Purges a deleted repository: its records, then the blobs no other repository of the registry links.</summary>
    public void EnqueueRepository(string registryId, long repositoryId) => _queue.Writer.TryWrite(new Work(registryId, repositoryId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Repositories first: a deleted registry's purge also removes its repositories, whether deleted or not.
        foreach (var repository in await artifacts.ListDeletedRepositoriesAsync(stoppingToken))
        {
            EnqueueRepository(repository.RegistryId, repository.Id);
        }

        foreach (var pending in await tenants.ListPendingPurgesAsync(stoppingToken))
        {
            Enqueue(pending);
        }

        var delay = options.Value.Registries.PurgeDelay;
        await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, stoppingToken);
                }

                var started = time.GetTimestamp();
                var batches = work.RepositoryId is { } repositoryId
                    ? await PurgeRepositoryAsync(work.RegistryId, repositoryId, stoppingToken)
                    : await PurgeRegistryAsync(work.RegistryId, stoppingToken);
                LogPurged(logger, work.RegistryId, work.RepositoryId, batches, time.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // What is done stays done (each batch committed); the rest is tried again shortly, and in any case at
                // the next start (the store still lists it).
                LogPurgeFailed(logger, ex, work.RegistryId, work.RepositoryId);
                _ = RetryLaterAsync(work, stoppingToken);
            }
        }
    }

    private async Task<int> PurgeRegistryAsync(string registryId, CancellationToken cancellationToken)
    {
        var batches = 0;
        while (await PacedAsync(() => tenants.PurgeRegistryAsync(registryId, BatchSize, cancellationToken), cancellationToken))
        {
            batches++;
        }

        // The records are gone (nothing refers to the content any more): now the bytes, then the queue entry.
        await blobs.DeleteRegistryAsync(registryId, cancellationToken);
        await tenants.CompletePurgeAsync(registryId, cancellationToken);
        return batches + 1;
    }

    private async Task<int> PurgeRepositoryAsync(string registryId, long repositoryId, CancellationToken cancellationToken)
    {
        var batches = 0;
        RepositoryPurgeStep step;
        do
        {
            step = await PacedAsync(() => artifacts.PurgeRepositoryAsync(repositoryId, BatchSize, cancellationToken), cancellationToken);
            foreach (var digest in step.UnlinkedDigests)
            {
                await blobs.CollectIfUnreferencedAsync(registryId, Digest.Parse(digest), cancellationToken);
            }

            batches++;
        }
        while (step.More);

        // Blobs unlinked by a batch whose collection a crash interrupted are linked nowhere now: collect them too.
        foreach (var digest in await artifacts.ListUnreferencedBlobsAsync(registryId, cancellationToken))
        {
            await blobs.CollectIfUnreferencedAsync(registryId, Digest.Parse(digest), cancellationToken);
        }

        await usageNotices.CheckAsync(registryId, cancellationToken);
        return batches;
    }

    private int BatchSize => options.Value.Registries.PurgeBatchSize;

    /// <summary>
    /// Runs one batch, then pauses as long as it took: the purger holds the database at most half of the time, and
    /// writers queued behind a batch (SQLite has one writer; PostgreSQL row locks) get in before the next one.
    /// </summary>
    private async Task<T> PacedAsync<T>(Func<Task<T>> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            var started = time.GetTimestamp();
            T result;
            try
            {
                result = await batch();
            }
            catch (Exception ex) when (store.IsBusy(ex))
            {
                // Busy is not a failure of the purge (the batch was rolled back): back off and go on.
                LogBusy(logger);
                await Task.Delay(RetryDelay, time, cancellationToken);
                continue;
            }

            await Task.Delay(time.GetElapsedTime(started), time, cancellationToken);
            return result;
        }
    }

    private async Task RetryLaterAsync(Work work, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(RetryDelay, time, stoppingToken);
            _queue.Writer.TryWrite(work);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the store still lists the work for the next start.
        }
    }

    /// <summary>A deleted registry (no repository id) or a deleted repository of a registry.</summary>
    private sealed record Work(string RegistryId, long? RepositoryId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Purged deleted registry {RegistryId} (repository {RepositoryId}) in {Batches} batches, {ElapsedMs:0} ms")]
    private static partial void LogPurged(ILogger logger, string registryId, long? repositoryId, int batches, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Purging deleted registry {RegistryId} (repository {RepositoryId}) failed; it is tried again shortly and at the next start")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, string registryId, long? repositoryId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The database is busy; the purge backs off")]
    private static partial void LogBusy(ILogger logger);
}
