namespace Berth.Registry.Distribution;

/// <summary>
/// Striped in-process locks keyed by (registry, digest). Committing a blob into storage and collecting an
/// unreferenced one must not interleave, or a collection could delete content a concurrent push just recorded.
/// </summary>
public sealed class BlobLocks
{
    private const int Stripes = 256;
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<IDisposable> AcquireAsync(string registryId, string digest, CancellationToken cancellationToken)
    {
        var gate = _locks[(uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(registryId), StringComparer.Ordinal.GetHashCode(digest)) % Stripes];
        await gate.WaitAsync(cancellationToken);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
