using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Berth.Registry.Storage;

/// <summary>
/// In-process state of upload sessions: a gate so one request at a time touches a session, and the running
/// sha256 of the bytes received so far so completing a chunked upload doesn't read the data back. The state is
/// only an optimisation: after a restart, or when the upload continues on another node, the digest is computed
/// from storage instead.
/// </summary>
public sealed class UploadStates
{
    private readonly ConcurrentDictionary<string, UploadState> _states = new(StringComparer.Ordinal);

    public UploadState Get(string uploadId) => _states.GetOrAdd(uploadId, static _ => new UploadState());

    public void Remove(string uploadId)
    {
        if (_states.TryRemove(uploadId, out var state))
        {
            state.ResetHash();
        }
    }
}

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
