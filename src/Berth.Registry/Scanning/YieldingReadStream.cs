using Berth.Registry.Distribution;

namespace Berth.Registry.Scanning;

/// <summary>
/// A layer stream for the scanner that makes way for blob transfers: every <see cref="Step"/> bytes it first waits
/// (at most <see cref="MaxWait"/>) while downloads or uploads are running on the node. Under constant traffic a scan
/// takes longer; it never stalls, and a pull never waits for a scan.
/// </summary>
internal sealed class YieldingReadStream(Stream inner, BlobTransfers transfers) : Stream
{
    public const int Step = 1024 * 1024;

    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(250);

    private long _untilYield = Step;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The scanner reads asynchronously; a synchronous read (GZipStream's fallback) goes straight through.
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
