using Berth.Core.Metadata;

namespace Berth.Registry.Storage;

/// <summary>
/// Locks keyed by (registry, digest). Committing a blob into storage and collecting an unreferenced one must not
/// interleave, or a collection could delete content a concurrent push just recorded. Striped in-process locks order
/// this node's requests; when the metadata store is shared by several nodes, its <see cref="IBlobLockProvider"/>
/// excludes the other nodes too.
/// </summary>
public sealed class BlobLocks(IMetadataStore store)
{
    private const int Stripes = 256;
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly IBlobLockProvider? _shared = store as IBlobLockProvider;

    public async ValueTask<IAsyncDisposable> AcquireAsync(string registryId, string digest, CancellationToken cancellationToken)
    {
        var gate = _locks[(uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(registryId), StringComparer.Ordinal.GetHashCode(digest)) % Stripes];
        await gate.WaitAsync(cancellationToken);
        try
        {
            var shared = _shared is null ? null : await _shared.AcquireBlobLockAsync(registryId, digest, cancellationToken);
            return new Releaser(gate, shared);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Releaser(SemaphoreSlim gate, IAsyncDisposable? shared) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            try
            {
                if (shared is not null)
                {
                    await shared.DisposeAsync();
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
