using System.Threading.Channels;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Hosting;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Management;

/// <summary>
/// Removes the stored content of deleted registries in the background. The queue of pending purges lives in the
/// metadata store (written in the same transaction as the delete), so a purge interrupted by a crash or a kill is
/// resumed at the next start until nothing of the registry is left.
/// </summary>
public sealed partial class RegistryPurger(
    ITenantStore tenants,
    IBlobDriver driver,
    IOptions<BerthOptions> options,
    TimeProvider time,
    ILogger<RegistryPurger> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(string registryId) => _queue.Writer.TryWrite(registryId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var pending in await tenants.ListPendingPurgesAsync(stoppingToken))
        {
            Enqueue(pending);
        }

        var delay = options.Value.Registries.PurgeDelay;
        await foreach (var registryId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, stoppingToken);
                }

                await driver.DeleteAsync(BlobPaths.Registry(registryId), stoppingToken);
                await tenants.CompletePurgeAsync(registryId, stoppingToken);
                LogPurged(logger, registryId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Left in the store's queue: the next start tries again.
                LogPurgeFailed(logger, ex, registryId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged the stored content of deleted registry {RegistryId}")]
    private static partial void LogPurged(ILogger logger, string registryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purging deleted registry {RegistryId} failed; it is retried at the next start")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, string registryId);
}
