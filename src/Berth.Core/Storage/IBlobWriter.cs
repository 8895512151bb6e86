namespace Berth.Core.Storage;

/// <summary>A writer a storage driver opens on a path. Dispose without commit keeps what was last committed.</summary>
public interface IBlobWriter : IAsyncDisposable
{
    /// <summary>Bytes in the file so far, committed and pending.</summary>
    long Size { get; }

    Task WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Makes everything written durable and visible; the writer can't be used afterwards.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
