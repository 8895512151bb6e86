using Berth.Registry.Retention;
using System.Threading.Channels;
using Berth.Core.Metadata;
using Berth.Registry.Hosting;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Distribution;

/// <summary>
/// Counts manifest pulls for the statistics. A pull is one channel write on the request path (no I/O, no lock); a
/// background loop adds them up per (repository, manifest, UTC hour) and writes them every
/// <see cref="StatsOptions.FlushInterval"/>, and once more on shutdown, as ONE batch. A batch the store refuses is
/// kept and retried with the next one, so a store outage delays counts instead of losing them.
/// </summary>
public sealed partial class PullRecorder(IPullStatsStore store, TimeProvider time, IOptions<BerthOptions> options, ILogger<PullRecorder> logger)
    : BackgroundService, IPendingPulls
{
    // Bounded so a stalled store can't grow memory without limit; past it pulls are dropped rather than slowing pulls down.
    private const int Capacity = 100_000;

    private readonly Channel<Pull> _pulls = Channel.CreateBounded<Pull>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Flushes run one at a time: the loop's, StopAsync's and those cleanup asks for before it plans.
    private readonly SemaphoreSlim _flushing = new(1, 1);

    // Touched only inside a flush (under _flushing).
    private readonly Dictionary<(long RepositoryId, string Digest, DateTimeOffset HourStart), (long Count, DateTimeOffset Last)> _pending = [];

    /// <summary>Counts one pull of <paramref name="digest"/> from the repository at <paramref name="at"/>.</summary>
    public void Record(long repositoryId, string digest, DateTimeOffset at) => _pulls.Writer.TryWrite(new Pull(repositoryId, digest, at));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Stats.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the pulls counted so far now, rather than at the next tick: cleanup calls it before planning so a pull
    /// this node just served protects what it pulled. A failed write is logged and kept for the next flush.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await FlushPendingAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        while (_pulls.Reader.TryRead(out var pull))
        {
            var utc = pull.At.ToUniversalTime();
            var key = (pull.RepositoryId, pull.Digest, new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero));
            _pending[key] = _pending.TryGetValue(key, out var sum)
                ? (sum.Count + 1, sum.Last > utc ? sum.Last : utc)
                : (1, utc);
        }

        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending.Select(p => new PullCount(p.Key.RepositoryId, p.Key.Digest, p.Key.HourStart, p.Value.Count, p.Value.Last)).ToList();
        try
        {
            await store.RecordPullsAsync(batch, cancellationToken);
            _pending.Clear();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFlushFailed(logger, ex, batch.Count);
        }
    }

    private readonly record struct Pull(long RepositoryId, string Digest, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} pull counts; retrying with the next batch")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
