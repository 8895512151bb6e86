using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Scanning;

/// <summary>
/// Runs the scans: <see cref="ScanningOptions.Workers"/> loops, each claiming the longest-queued scan from the store
/// (any node's), scanning it and recording the outcome; plus one loop that queues the images pushed through this
/// node. Concurrency is bounded by the loop count, so scanning never takes more than that from the machine, and the
/// push that queued a scan never waits for it. An idle loop keeps the advisory index current, off the scan path; a node
/// with no workers never builds one.
/// </summary>
public sealed partial class ScanWorker(
    ScanQueue queue,
    IScanStore scans,
    ImageScanner scanner,
    AdvisoryDatabase advisories,
    Distribution.BlobTransfers transfers,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<ScanWorker> logger) : BackgroundService
{
    // How long a stopping node spends queueing the images pushed just before (well inside the host's shutdown timeout).
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly ScanningOptions _options = options.Value.Scanning;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.Workers).Select(_ => ScanLoopAsync(stoppingToken)).Append(QueuePushedAsync(stoppingToken)));

    /// <summary>Queues each pushed image that has no scan yet (a re-tag or a re-push of the same image is not scanned again).</summary>
    private async Task QueuePushedAsync(CancellationToken stoppingToken)
    {
        // The inserts are not cancelled by the stop itself but DrainLimit after it: the images pushed in the last
        // moments are only in memory yet, and a restart or a rolling deploy must not leave them unscanned.
        using var writes = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var stopping = stoppingToken.Register(() => writes.CancelAfter(DrainLimit));
        try
        {
            while (await queue.Pushed.WaitToReadAsync(stoppingToken))
            {
                await QueueAvailableAsync(writes.Token);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            try
            {
                await QueueAvailableAsync(writes.Token);
            }
            catch (OperationCanceledException) when (writes.IsCancellationRequested)
            {
                LogDrainCutShort(logger, DrainLimit, queue.Pushed.Count);
            }
        }
    }

    private async Task QueueAvailableAsync(CancellationToken cancellationToken)
    {
        while (queue.Pushed.TryRead(out var pushed))
        {
            await QueueNewScanAsync(pushed, cancellationToken);
        }
    }

    private async Task QueueNewScanAsync(ScanQueue.PushedManifest pushed, CancellationToken cancellationToken)
    {
        try
        {
            if (await scans.QueueNewScanAsync(pushed.RepositoryId, pushed.Digest, time.GetUtcNow(), cancellationToken))
            {
                queue.Wake();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogQueueFailed(logger, ex, pushed.Digest);
        }
    }

    private async Task ScanLoopAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: the host finishes starting before the first claim.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await RunNextAsync(stoppingToken))
                {
                    // Idle: bring the advisory index up to date now (after start, or any node's import) rather than
                    // inside the next scan. When nothing changed this is one version query.
                    await advisories.GetSnapshotAsync(stoppingToken);
                    await queue.WaitForWorkAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is unreachable, most likely: try again at the next poll rather than spin.
                LogLoopFailed(logger, ex);
                await queue.WaitForWorkAsync(_options.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Claims and runs one scan; false when nothing was queued.</summary>
    public async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        if (await scans.ClaimScanAsync(now, now - _options.ClaimTimeout, stoppingToken) is not { } claim)
        {
            return false;
        }

        // Let the pull that usually follows a push go first; the claim is held meanwhile (MaxDeferral < ClaimTimeout).
        await transfers.WaitForQuietAsync(_options.QuietPeriod, _options.MaxDeferral, stoppingToken);

        var started = time.GetTimestamp();
        ScanOutcome outcome;
        using (var timeout = new CancellationTokenSource(_options.Timeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token))
        {
            try
            {
                outcome = await scanner.ScanAsync(claim, linked.Token);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: hand the scan back so that the next start (or another node) runs it at once.
                await scans.CompleteScanAsync(claim, new ScanOutcome(ScanStatus.Queued, null, null, null, null, time.GetUtcNow()), CancellationToken.None);
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                outcome = new ScanOutcome(ScanStatus.Failed, $"the scan took longer than {_options.Timeout}", null, null, null, time.GetUtcNow());
            }
            catch (Exception ex)
            {
                LogScanCrashed(logger, ex, claim.Repository, claim.ManifestDigest);
                outcome = new ScanOutcome(ScanStatus.Failed, "the scanner failed: " + ex.Message, null, null, null, time.GetUtcNow());
            }
        }

        var recorded = await scans.CompleteScanAsync(claim, outcome, CancellationToken.None);
        LogScanned(logger, claim.Repository, claim.ManifestDigest, outcome.Status, outcome.Summary?.Total ?? 0,
            time.GetElapsedTime(started).TotalMilliseconds, outcome.Reason, recorded);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Scanned {Repository}@{Digest}: {Status}, {Findings} findings in {Milliseconds:F0} ms {Reason} (recorded: {Recorded})")]
    private static partial void LogScanned(ILogger logger, string repository, string digest, ScanStatus status, int findings, double milliseconds, string? reason, bool recorded);

    [LoggerMessage(Level = LogLevel.Error, Message = "The scanner failed on {Repository}@{Digest}")]
    private static partial void LogScanCrashed(ILogger logger, Exception exception, string repository, string digest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: {Left} pushed images were not queued for scanning within {Limit} (scan them on demand)")]
    private static partial void LogDrainCutShort(ILogger logger, TimeSpan limit, int left);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not queue the scan of pushed manifest {Digest}")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string digest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan loop failed; retrying at the next poll")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
