using System.Diagnostics;
using Berth.Registry.Distribution;

namespace Berth.Registry.Tests;

/// <summary>The count of blob transfers in flight, and background work yielding to them (pure logic, real clock).</summary>
public sealed class BlobTransfersTests
{
    private readonly BlobTransfers _transfers = new(TimeProvider.System);

    [Fact]
    public void ScopesCountTransfersInFlight()
    {
        Assert.Equal(0, _transfers.Active);
        using (_transfers.Begin())
        {
            using (_transfers.Begin())
            {
                Assert.Equal(2, _transfers.Active);
            }

            Assert.Equal(1, _transfers.Active);
        }

        Assert.Equal(0, _transfers.Active);
    }

    [Fact]
    public async Task YieldingWhileIdleReturnsAtOnce()
    {
        var clock = Stopwatch.StartNew();
        await _transfers.YieldAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"waited {clock.ElapsedMilliseconds} ms with nothing in flight");
    }

    [Fact]
    public async Task YieldingWaitsForTheTransferToEnd()
    {
        var transfer = _transfers.Begin();
        var clock = Stopwatch.StartNew();
        var yielding = _transfers.YieldAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        await Task.Delay(300);
        Assert.False(yielding.IsCompleted, "did not wait for the transfer in flight");
        transfer.Dispose();
        await yielding.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"kept waiting {clock.Elapsed} after the transfer ended");
    }

    [Fact]
    public async Task YieldingGivesUpAfterTheLongestWait()
    {
        using var endless = _transfers.Begin();
        var clock = Stopwatch.StartNew();
        await _transfers.YieldAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clock.ElapsedMilliseconds >= 250, $"gave up after {clock.ElapsedMilliseconds} ms, before the longest wait");
    }

    [Fact]
    public async Task WaitingForQuietLetsTheTransferAndAQuietPeriodPassButNoLongerThanTheLongestWait()
    {
        var transfer = _transfers.Begin();
        var clock = Stopwatch.StartNew();
        // A quiet period far longer than the checks' delays: on a loaded CI machine a 200 ms delay can take much longer.
        var waiting = _transfers.WaitForQuietAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.Delay(300);
        transfer.Dispose();
        var ended = clock.Elapsed;
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, $"did not wait for the quiet period after the transfer ended ({clock.Elapsed - ended} since)");
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(clock.Elapsed - ended >= TimeSpan.FromMilliseconds(2900), $"quiet for only {clock.Elapsed - ended}");

        using var endless = _transfers.Begin();
        clock.Restart();
        await _transfers.WaitForQuietAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.ElapsedMilliseconds >= 350, $"gave up after {clock.ElapsedMilliseconds} ms, before the longest wait");
    }
}
