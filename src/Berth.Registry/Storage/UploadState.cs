using System.Security.Cryptography;

namespace Berth.Registry.Storage;

public sealed class UploadState
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The sha256 of the first <see cref="HashedBytes"/> bytes of the upload, or null when unknown.</summary>
    public IncrementalHash? Hash { get; private set; }

    public long HashedBytes { get; private set; }

    /// <summary>The running hash if it covers exactly <paramref name="size"/> bytes; a fresh one when the upload is empty; else null.</summary>
    public IncrementalHash? HashContinuing(long size)
    {
        if (Hash is not null && HashedBytes == size)
        {
            return Hash;
        }

        ResetHash();
        if (size == 0)
        {
            Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        return Hash;
    }

    public void Advance(long bytes) => HashedBytes += bytes;

    public void ResetHash()
    {
        Hash?.Dispose();
        Hash = null;
        HashedBytes = 0;
    }
}
