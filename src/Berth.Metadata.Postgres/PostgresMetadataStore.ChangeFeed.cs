using System.Globalization;
using System.Runtime.CompilerServices;
using Berth.Core.Metadata;
using Npgsql;

namespace Berth.Metadata.Postgres;

/// <summary>
/// The credential change feed on LISTEN/NOTIFY. Writers call <c>pg_notify</c> inside the transaction of the change,
/// so PostgreSQL delivers the notification at commit and drops it on rollback. Payload: <c>registryId:generation</c>
/// after a password reset (or an overlap revoked early), <c>registryId:generation,untilUnixMs</c> after a reset that
/// keeps the previous password working until then, <c>registryId:deleted</c> after a registry delete,
/// <c>registryId:rt=tokenId</c> after an access token's revocation, <c>registryId:federation-rule:ruleId</c> after a
/// federation rule's delete.
/// </summary>
public sealed partial class PostgresMetadataStore
{
    internal const string CredentialsChannel = "berth_credentials";
    internal const string DeletedMarker = "deleted";
    internal const string FederationRuleMarker = "federation-rule";

    /// <summary>Payload "registry:rt=token": one access token of the registry was revoked.</summary>
    internal const string TokenRevokedMarker = "rt=";

    // How long the listening connection may stay silent before a round trip checks it: a server that vanished without
    // closing the TCP connection would otherwise leave the feed waiting forever while changes go unseen.
    private static readonly TimeSpan IdleProbeInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <remarks>
    /// Holds one pooled connection while it runs (count it in the pool size). When the connection drops, it
    /// reconnects with a backoff of 100 ms doubling up to 5 s, and yields <see cref="CredentialChange.MayHaveMissedChanges"/>
    /// again once listening. Ends with <see cref="OperationCanceledException"/> when cancelled.
    /// </remarks>
    public async IAsyncEnumerable<CredentialChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Filled by the connection's Notification event, which fires inside WaitAsync (and any command) on this same
        // flow of control, never concurrently with the draining below.
        var received = new Queue<CredentialChange>();
        var retryDelay = FirstRetryDelay;
        while (true)
        {
            var connection = await TryListenAsync(received, cancellationToken);
            if (connection is not null)
            {
                try
                {
                    // Already listening: whatever commits from now on is delivered, so a cache the caller drops now
                    // can only refill with current data.
                    yield return CredentialChange.MayHaveMissedChanges;
                    while (true)
                    {
                        var alive = await TryWaitAsync(connection, cancellationToken);
                        while (received.TryDequeue(out var change))
                        {
                            yield return change;
                        }

                        if (!alive)
                        {
                            break;
                        }

                        retryDelay = FirstRetryDelay;
                    }
                }
                finally
                {
                    await connection.DisposeAsync();
                }
            }

            await Task.Delay(retryDelay, cancellationToken);
            retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>A connection listening on the channel, or null when the server can't be reached (retry later).</summary>
    private async Task<NpgsqlConnection?> TryListenAsync(Queue<CredentialChange> received, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            connection.Notification += (_, e) => received.Enqueue(ParseChange(e.Payload));
            await using (var listen = new NpgsqlCommand($"LISTEN {CredentialsChannel};", connection))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken);
            }
            return connection;
        }
        catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            return null;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits for notifications (raised through the Notification event); false when the connection is lost.</summary>
    private static async Task<bool> TryWaitAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            if (!await connection.WaitAsync(IdleProbeInterval, cancellationToken))
            {
                await using var probe = new NpgsqlCommand("SELECT 1;", connection);
                await probe.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }
        catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// A payload this code can't read (from a newer node, or a stray NOTIFY) becomes "may have missed changes": the
    /// caller forgets its cache, which is always safe, rather than keeping a credential that may be revoked.
    /// </summary>
    private static CredentialChange ParseChange(string payload)
    {
        var rule = payload.IndexOf($":{FederationRuleMarker}:", StringComparison.Ordinal);
        if (rule > 0)
        {
            return new CredentialChange(payload[..rule], null) { DeletedFederationRuleId = payload[(rule + FederationRuleMarker.Length + 2)..] };
        }

        var separator = payload.LastIndexOf(':');
        if (separator <= 0)
        {
            return CredentialChange.MayHaveMissedChanges;
        }

        var registryId = payload[..separator];
        var change = payload[(separator + 1)..];
        if (change == DeletedMarker)
        {
            return new CredentialChange(registryId, null);
        }

        if (change.StartsWith(TokenRevokedMarker, StringComparison.Ordinal) && change.Length > TokenRevokedMarker.Length)
        {
            return CredentialChange.TokenRevoked(registryId, change[TokenRevokedMarker.Length..]);
        }

        // The overlap's end follows a comma: a node from before overlaps fails to parse it as a generation and forgets
        // its cache (safe), rather than misreading it.
        var comma = change.IndexOf(',', StringComparison.Ordinal);
        DateTimeOffset? previousValidUntil = null;
        if (comma >= 0)
        {
            if (!long.TryParse(change.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var untilMs))
            {
                return CredentialChange.MayHaveMissedChanges;
            }

            previousValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(untilMs);
            change = change[..comma];
        }

        return long.TryParse(change, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? new CredentialChange(registryId, generation) { PreviousValidUntil = previousValidUntil }
            : CredentialChange.MayHaveMissedChanges;
    }

    /// <summary>The payload <see cref="ParseChange"/> reads.</summary>
    internal static string FormatChange(string registryId, long? generation, DateTimeOffset? previousValidUntil) => (generation, previousValidUntil) switch
    {
        (null, _) => $"{registryId}:{DeletedMarker}",
        ({ } g, null) => string.Create(CultureInfo.InvariantCulture, $"{registryId}:{g}"),
        ({ } g, { } until) => string.Create(CultureInfo.InvariantCulture, $"{registryId}:{g},{until.ToUnixTimeMilliseconds()}"),
    };
}
