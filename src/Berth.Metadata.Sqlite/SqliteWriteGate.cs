using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

/// <summary>
/// The turn to write to the database file, handed out in arrival order. SQLite has one writer at a time, and a
/// writer that finds the lock taken polls for it with growing sleeps (up to 100 ms each), so behind a stream of
/// writes (a purge's batches) a waiting request could miss many openings in a row. Here every writer of this
/// process waits its turn without a thread, and the next in line gets the lock the moment the previous one is done:
/// a request waits for the writes ahead of it, never longer.
/// </summary>
internal sealed class SqliteWriteGate(TimeSpan timeout, Action released) : IDisposable
{
    private const int SqliteBusy = 5;

    private static readonly Meter Meter = new(SqliteMetadataStore.MeterName);

    private static readonly InstrumentAdvice<double> Buckets = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    };

    private static readonly Histogram<double> WaitDuration = Meter.CreateHistogram("berth.metadata.sqlite.write_wait", "s",
        "How long writes waited for their turn at the database file (SQLite has one writer at a time)", tags: null, advice: Buckets);

    private static readonly Histogram<double> HoldDuration = Meter.CreateHistogram("berth.metadata.sqlite.write_hold", "s",
        "How long each write held the turn (its statements and commit), purge batches (purge=true) apart", tags: null, advice: Buckets);

    // SemaphoreSlim releases asynchronous waiters in the order they started waiting.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Action _released = released;
    private int _waiting;

    /// <summary>How many writers are waiting for their turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits for the turn (at most the busy timeout, then SQLITE_BUSY, which callers answer as "busy, retry") and
    /// returns it; disposing the result hands the turn to the next writer and reports the release.
    /// </summary>
    /// <param name="purge">Whether the turn is for a purge batch (the holds are measured apart from the other writes').</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public async Task<IDisposable> EnterAsync(bool purge, CancellationToken cancellationToken)
    {
        var waiting = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        bool entered;
        try
        {
            entered = await _turn.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        WaitDuration.Record(Stopwatch.GetElapsedTime(waiting).TotalSeconds);
        if (!entered)
        {
            throw new SqliteException($"The database stayed busy for {timeout.TotalSeconds:0.#} s.", SqliteBusy);
        }

        return new Turn(this, purge, Stopwatch.GetTimestamp());
    }

    public void Dispose() => _turn.Dispose();

    private sealed class Turn(SqliteWriteGate gate, bool purge, long entered) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                HoldDuration.Record(Stopwatch.GetElapsedTime(entered).TotalSeconds, new KeyValuePair<string, object?>("purge", purge));
                gate._turn.Release();
                gate._released();
            }
        }
    }
}
