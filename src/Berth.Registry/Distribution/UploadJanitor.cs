using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Berth.Registry.Storage;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Distribution;

/// <summary>
/// Garbage-collects abandoned upload sessions: a session untouched for <see cref="UploadOptions.MaxIdle"/> is
/// deleted with its stored bytes. Safe on several nodes at once (deleting twice is harmless).
/// </summary>
public sealed partial class UploadJanitor(
    IUploadStore uploads,
    UploadSessions sessions,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<UploadJanitor> logger) : BackgroundService
{
    private readonly UploadOptions _options = options.Value.Uploads;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.CleanupInterval, time);
        do
        {
            try
            {
                await CollectAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes every session idle longer than the limit; returns how many.</summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        var stale = await uploads.ListStaleUploadsAsync(time.GetUtcNow() - _options.MaxIdle, cancellationToken);
        foreach (var upload in stale)
        {
            await sessions.DiscardAsync(upload, cancellationToken);
        }

        if (stale.Count > 0)
        {
            LogCollected(logger, stale.Count);
        }

        return stale.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} abandoned upload sessions")]
    private static partial void LogCollected(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Collecting abandoned upload sessions failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
