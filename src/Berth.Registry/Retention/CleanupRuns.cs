using Berth.Registry.Auditing;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Berth.Core.Metadata;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Retention;

/// <summary>
/// Runs cleanups in the background, one at a time per node: a run is recorded as running (at most one per registry,
/// across nodes) when asked for, then queued here. While this node holds runs it moves their heartbeat on; every node
/// marks interrupted the runs whose heartbeat stopped (their node died), and on shutdown this node marks its own.
/// </summary>
public sealed partial class CleanupRuns(ICleanupStore store, CleanupRunner runner, RegistryAudit audit, TimeProvider time,
    ILogger<CleanupRuns> logger) : BackgroundService
{
    public const string Manual = "manual";

    public const string Scheduled = "schedule";

    public const string Interrupted = "interrupted";

    /// <summary>How often this node's runs show they are alive, and stale runs of other nodes are looked for.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>A running run without a heartbeat for this long belongs to a node that died: six missed heartbeats.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);

    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });

    // The runs this node holds (queued or running): their heartbeats are this node's to move.
    private readonly ConcurrentDictionary<long, byte> _held = new();

    /// <summary>Records and queues a run; null when the registry already has one running.</summary>
    public async Task<CleanupRunRecord?> StartAsync(RegistryRecord registry, CleanupPolicy policy, string trigger, AuditActor actor,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var run = await store.StartCleanupRunAsync(registry.Id, trigger, now, now - StaleAfter, cancellationToken);
        if (run is not null)
        {
            _held[run.Id] = 0;
            _queue.Writer.TryWrite(new Work(run, registry, policy, actor));
        }

        return run;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var heartbeats = HeartbeatAsync(stoppingToken);
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await RunAsync(work, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync marks what is left.
        }

        await heartbeats;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Queued runs never started and the one running was cancelled: say so now rather than once they go stale.
        var now = time.GetUtcNow();
        foreach (var id in _held.Keys)
        {
            await store.FinishCleanupRunAsync(id, new CleanupRunOutcome(Interrupted, now, 0, 0, 0, 0, ["the node running it stopped"]), cancellationToken);
        }
    }

    private async Task RunAsync(Work work, CancellationToken stoppingToken)
    {
        CleanupRunOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(work.Registry, work.Policy, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogRunFailed(logger, ex, work.Registry.Name, work.Run.Id);
            outcome = new CleanupRunOutcome(CleanupRunner.Failed, time.GetUtcNow(), 0, 0, 0, 0, [ex.Message]);
        }

        try
        {
            await store.FinishCleanupRunAsync(work.Run.Id, outcome, CancellationToken.None);
            _held.TryRemove(work.Run.Id, out _);
            await audit.AuditAsync(work.Registry, work.Actor, "cleanup.run.finished",
                $"run {work.Run.Id}: {outcome.TagsDeleted} tags, {outcome.ManifestsDeleted} manifests", CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The heartbeat stops once the node does; the run then shows as interrupted.
            LogRunFailed(logger, ex, work.Registry.Name, work.Run.Id);
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var now = time.GetUtcNow();
                    await store.HeartbeatCleanupRunsAsync([.. _held.Keys], now, stoppingToken);
                    await store.InterruptStaleCleanupRunsAsync(now - StaleAfter, now, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHeartbeatFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private sealed record Work(CleanupRunRecord Run, RegistryRecord Registry, CleanupPolicy Policy, AuditActor Actor);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cleanup run {RunId} of {Registry} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string registry, long runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the cleanup runs' heartbeat; retrying")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
