using Berth.Metadata.Sqlite;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Tests.Metadata;

public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task WritersGetTheirTurnInTheOrderTheyAsked()
    {
        using var gate = new SqliteWriteGate(TimeSpan.FromSeconds(10), () => { });
        var first = await gate.EnterAsync(purge: true, CancellationToken.None);
        var order = new List<int>();
        var waiting = new List<Task>();
        for (var i = 0; i < 8; i++)
        {
            var writer = i;
            waiting.Add(Task.Run(async () =>
            {
                using var turn = await gate.EnterAsync(purge: false, CancellationToken.None);
                lock (order)
                {
                    order.Add(writer);
                }
            }));

            // Each one queued before the next one asks.
            await WaitUntilAsync(() => gate.Waiting == writer + 1);
        }

        first.Dispose();
        await Task.WhenAll(waiting);
        Assert.Equal(Enumerable.Range(0, 8), order);
    }

    [Fact]
    public async Task AWriterThatWaitsLongerThanTheTimeoutGetsBusy()
    {
        using var gate = new SqliteWriteGate(TimeSpan.FromMilliseconds(100), () => { });
        using var held = await gate.EnterAsync(purge: false, CancellationToken.None);

        var busy = await Assert.ThrowsAsync<SqliteException>(() => gate.EnterAsync(purge: false, CancellationToken.None));
        Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY: answered as "busy, retry" (503 with Retry-After)
    }

    [Fact]
    public async Task HandingOnTheTurnIsReportedOnceAndFreesIt()
    {
        var released = 0;
        using var gate = new SqliteWriteGate(TimeSpan.FromSeconds(1), () => Interlocked.Increment(ref released));
        var turn = await gate.EnterAsync(purge: false, CancellationToken.None);
        turn.Dispose();
        turn.Dispose();

        Assert.Equal(1, released);
        using var next = await gate.EnterAsync(purge: false, CancellationToken.None);
        Assert.Equal(0, gate.Waiting);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(5);
        }
    }
}
