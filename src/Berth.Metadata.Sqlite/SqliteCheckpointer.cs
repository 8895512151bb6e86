namespace Berth.Metadata.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file in the background, once a second after writes. SQLite
/// would otherwise checkpoint inside the commit that crosses 1,000 log pages: after a purge batch, the next small
/// write of some other request paid for copying and syncing the batch's pages. A PASSIVE checkpoint neither takes
/// the write lock nor waits for readers, so it runs beside the requests.
/// </summary>
internal sealed class SqliteCheckpointer(Func<CancellationToken, Task> checkpoint, TimeSpan interval) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private long _writes;
    private int _disposed;
    private Task? _loop;

    /// <summary>Notes that a write was committed (or tried): the next tick checkpoints.</summary>
    public void Written() => Interlocked.Increment(ref _writes);

    public void Start() => _loop ??= RunAsync(_stopping.Token);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            _loop?.Wait();
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        var checkpointed = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var writes = Interlocked.Read(ref _writes);
            if (writes == checkpointed)
            {
                continue;
            }

            try
            {
                await checkpoint(stoppingToken);
                checkpointed = writes;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost when a checkpoint fails (the log keeps every commit, and readers use it): the next
                // tick tries again.
            }
        }
    }
}
