namespace Berth.Core.Metadata;

/// <summary>
/// Optional ability of a metadata store shared by several nodes: a feed of credential changes (password resets,
/// registry deletes) committed by ANY node, so every node revokes old passwords and tokens within moments. The
/// store publishes the changes itself, atomically with the change (e.g. PostgreSQL NOTIFY inside the transaction).
/// </summary>
public interface ICredentialChangeFeed
{
    /// <summary>
    /// Changes as they are committed, until cancelled. After a (re)connection the feed yields
    /// <see cref="CredentialChange.MayHaveMissedChanges"/> first: the caller must then forget everything it cached.
    /// </summary>
    IAsyncEnumerable<CredentialChange> WatchAsync(CancellationToken cancellationToken);
}
