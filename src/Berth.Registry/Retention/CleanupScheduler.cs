using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Retention;

/// <summary>
/// Starts scheduled cleanups: every <c>Berth:Retention:CleanupSchedulerInterval</c> each node lists the policies due
/// and claims each by moving its next run on with a compare-and-set, so of the nodes ticking at once exactly one runs
/// it. A run missed while every node was down runs once at the next tick, not once per missed time.
/// </summary>
public sealed partial class CleanupScheduler(ICleanupStore store, ITenantStore tenants, CleanupRuns runs, TimeProvider time, IOptions<BerthOptions> options,
    ILogger<CleanupScheduler> logger) : BackgroundService
{
    private const int Batch = 100;

    private static readonly AuditActor Schedule = new("cleanup schedule", null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Retention.CleanupSchedulerInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogTickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var due in await store.ListDueCleanupPoliciesAsync(now, Batch, cancellationToken))
        {
            var policy = CleanupPolicy.FromStored(due.PolicyJson, due.Schedule);
            if (!await store.ClaimCleanupPolicyAsync(due.RegistryId, due.NextRunAt!.Value, policy.Schedule.NextAfter(now), cancellationToken)
                || await tenants.GetRegistryByIdAsync(due.RegistryId, cancellationToken) is not { } registry)
            {
                continue;
            }

            if (await runs.StartAsync(registry, policy, CleanupRuns.Scheduled, Schedule, cancellationToken) is null)
            {
                LogAlreadyRunning(logger, registry.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start the scheduled cleanups; retrying at the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled cleanup of {Registry} skipped: a run is still going")]
    private static partial void LogAlreadyRunning(ILogger logger, string registry);
}
