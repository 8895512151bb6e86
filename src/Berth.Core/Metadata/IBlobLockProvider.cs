namespace Berth.Core.Metadata;

/// <summary>
/// Optional ability of a metadata store shared by several nodes: a lock per blob of a registry that excludes every
/// node, so committing a blob's content and collecting it never interleave across nodes.
/// </summary>
public interface IBlobLockProvider
{
    Task<IAsyncDisposable> AcquireBlobLockAsync(string registryId, string digest, CancellationToken cancellationToken);
}
