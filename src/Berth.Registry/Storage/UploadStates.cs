using System.Collections.Concurrent;

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
