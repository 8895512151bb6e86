namespace Berth.Registry.Distribution;

/// <summary>
/// Blob requests in flight on this node (downloads and upload bodies). Background work that competes with them for
/// the CPU and the disk, the scanner above all, yields while any are running: serving images is what a node is for,
/// and on a small machine a scan inflating layers next to a pull makes the pull slower.
/// </summary>
public sealed class BlobTransfers(TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly TimeProvider _time = time;

    private int _active;

    // When a transfer last began or ended (TimeProvider timestamp).
    private long _lastActivity = time.GetTimestamp();

    public int Active => Volatile.Read(ref _active);

    /// <summary>Counts a transfer until the scope is disposed.</summary>
    public Scope Begin()
    {
        Interlocked.Increment(ref _active);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        return new Scope(this);
    }

    /// <summary>
    /// Waits until no transfer has run for <paramref name="quiet"/> (a push is usually followed by a pull within
    /// moments: let it pass first), but at most <paramref name="maxWait"/> in all, so background work is deferred under
    /// load, never starved.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan quiet, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < maxWait
            && (Active > 0 || _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < quiet))
        {
            await Task.Delay(Poll * 5, _time, cancellationToken);
        }
    }

    /// <summary>
    /// Returns at once when no transfer is running; otherwise waits until none is or <paramref name="maxWait"/> has
    /// passed, so background work slows down under load but never stops.
    /// </summary>
    public async ValueTask YieldAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (Active == 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        while (Active > 0 && _time.GetElapsedTime(started) < maxWait)
        {
            await Task.Delay(Poll, _time, cancellationToken);
        }
    }

    public readonly struct Scope(BlobTransfers owner) : IDisposable
    {
        public void Dispose()
        {
            Volatile.Write(ref owner._lastActivity, owner._time.GetTimestamp());
            Interlocked.Decrement(ref owner._active);
        }
    }
}
