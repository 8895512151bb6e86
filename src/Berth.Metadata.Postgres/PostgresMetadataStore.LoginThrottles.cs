using System.Data.Common;
using Berth.Core.Metadata;
using Berth.Metadata.Sql;

namespace Berth.Metadata.Postgres;

/// <summary>Login throttling counters shared by every node: a failure counted on one node slows the guesser on all.</summary>
public sealed partial class PostgresMetadataStore
{
    private const string LoginThrottleColumns = "account, address, failures, last_failure_at, last_success_at";

    public async Task<LoginThrottleState> GetAsync(string account, string address, CancellationToken cancellationToken) =>
        State(account, await Command($"SELECT {LoginThrottleColumns} FROM login_throttles WHERE address = @address AND account IN (@account, '*');")
            .With("account", account)
            .With("address", address)
            .ListAsync(ReadLoginThrottle, cancellationToken));

    public async Task<LoginThrottleState> RecordFailureAsync(string account, string address, DateTimeOffset now, DateTimeOffset forgetBefore,
        CancellationToken cancellationToken) =>
        // Rows are locked in the order listed (the pair, then the address), the same for every caller: no deadlock.
        State(account, await WriteCommand(
            $"""
            INSERT INTO login_throttles AS t (account, address, failures, last_failure_at)
            VALUES (@account, @address, 1, @now), ('*', @address, 1, @now)
            ON CONFLICT (account, address) DO UPDATE SET
                failures = CASE WHEN t.last_failure_at >= @forgetBefore THEN t.failures + 1 ELSE 1 END,
                last_failure_at = @now
            RETURNING {LoginThrottleColumns};
            """)
            .With("account", account)
            .With("address", address)
            .With("now", now)
            .With("forgetBefore", forgetBefore)
            .ListAsync(ReadLoginThrottle, cancellationToken));

    public async Task RecordSuccessAsync(string account, string address, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteCommand(
            """
            INSERT INTO login_throttles (account, address, failures, last_success_at) VALUES (@account, @address, 0, @now)
            ON CONFLICT (account, address) DO UPDATE SET failures = 0, last_failure_at = NULL, last_success_at = @now;
            """)
            .With("account", account)
            .With("address", address)
            .With("now", now)
            .ExecuteAsync(cancellationToken);

    public async Task<IReadOnlyList<LoginThrottleEntry>> ListAsync(DateTimeOffset since, (string Account, string Address)? after, int limit,
        CancellationToken cancellationToken) =>
        await Command(
            $"""
            SELECT {LoginThrottleColumns} FROM login_throttles
            WHERE failures > 0 AND last_failure_at >= @since AND (account, address) > (@afterAccount, @afterAddress)
            ORDER BY account, address
            LIMIT @limit;
            """)
            .With("since", since)
            .With("afterAccount", after?.Account ?? "")
            .With("afterAddress", after?.Address ?? "")
            .With("limit", limit)
            .ListAsync(ReadLoginThrottle, cancellationToken);

    public Task<int> ClearAsync(string? account, string? address, CancellationToken cancellationToken) =>
        WriteCommand(
            """
            UPDATE login_throttles SET failures = 0, last_failure_at = NULL
            WHERE failures > 0 AND (@account IS NULL OR account = @account) AND (@address IS NULL OR address = @address);
            """)
            .With("account", account)
            .With("address", address)
            .ExecuteAsync(cancellationToken);

    public async Task PruneAsync(DateTimeOffset failuresBefore, DateTimeOffset successesBefore, CancellationToken cancellationToken) =>
        await WriteCommand(
            """
            DELETE FROM login_throttles
            WHERE (last_failure_at IS NULL OR last_failure_at < @failuresBefore) AND (last_success_at IS NULL OR last_success_at < @successesBefore);
            """)
            .With("failuresBefore", failuresBefore)
            .With("successesBefore", successesBefore)
            .ExecuteAsync(cancellationToken);

    private static LoginThrottleState State(string account, List<LoginThrottleEntry> rows) =>
        new(rows.Find(r => r.Account == account), rows.Find(r => r.Account == LoginThrottleEntry.AnyAccount));

    private static LoginThrottleEntry ReadLoginThrottle(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetNullableTime(3), r.GetNullableTime(4));
}
