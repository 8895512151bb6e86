using Berth.Core;
using Berth.Registry.Distribution;

namespace Berth.Registry.Scanning;

/// <summary>
/// A layer stream for the scanner that makes way for blob transfers: every <see cref="Step"/> bytes it first waits
/// (at most <see cref="MaxWait"/>) while downloads or uploads are running on the node. Under constant traffic a scan
/// takes longer; it never stalls, and a pull never waits for a scan.
/// </summary>
internal sealed class YieldingReadStream(Stream inner, BlobTransfers transfers) : ForwardReadStream
{
    public const int Step = 1024 * 1024;

    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(250);

    private long _untilYield = Step;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_untilYield <= 0)
        {
            await transfers.YieldAsync(MaxWait, cancellationToken);
            _untilYield = Step;
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        _untilYield -= read;
        return read;
    }

    // The scanner reads asynchronously; a synchronous read (GZipStream's fallback) goes straight through.
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
