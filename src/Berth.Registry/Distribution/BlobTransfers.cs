namespace Berth.Registry.Distribution;

/// <summary>
/// Blob requests in flight on this node (downloads and upload bodies). Background work that competes with them for
/// the CPU and the disk, the scanner above all, yields while any are running: serving images is what a node is for,
/// and on a small machine a scan inflating layers next to a pull makes the pull slower.
/// </summary>
public sealed class BlobTransfers(TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private int _active;

    public int Active => Volatile.Read(ref _active);

    /// <summary>Counts a transfer until the scope is disposed.</summary>
    public Scope Begin()
    {
        Interlocked.Increment(ref _active);
        return new Scope(this);
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

        var started = time.GetTimestamp();
        while (Active > 0 && time.GetElapsedTime(started) < maxWait)
        {
            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    public readonly struct Scope(BlobTransfers owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner._active);
    }
}
