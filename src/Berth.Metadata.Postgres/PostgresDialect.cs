using System.Data.Common;
using Berth.Metadata.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Berth.Metadata.Postgres;

/// <summary>
/// PostgreSQL for the metadata store, which several nodes share. Statements run on pooled connections of one
/// <see cref="NpgsqlDataSource"/>; writes that must be atomic run in READ COMMITTED transactions that lock the rows
/// they depend on, so concurrent writers from any node serialise per registry.
/// </summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    // Any constant works as long as nothing else in the database uses it as an advisory lock key: "berth" in ASCII.
    private const long MigrationLockKey = 0x62_65_72_74_68;

    public override bool LocksRows => true;

    public override string ForUpdate => "FOR UPDATE";

    public override string ForNoKeyUpdate => "FOR NO KEY UPDATE";

    public override string ForShare => "FOR SHARE";

    public override string ForUpdateSkipLocked => "FOR UPDATE SKIP LOCKED";

    public override string Greatest(string left, string right) => $"GREATEST({left}, {right})";

    // A list travels as one array parameter.
    public override string InList(string expression, string parameter) => $"{expression} = ANY(@{parameter})";

    public override string CommaList(string expression) => $"string_agg({expression}, ',')";

    public override object ListValue<T>(IReadOnlyCollection<T> values) => values.ToArray();

    /// <summary>timestamptz accepts only UTC offsets from Npgsql; the instant is what is stored.</summary>
    public override void BindTime(DbParameter parameter, DateTimeOffset? value)
    {
        ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.TimestampTz;
        parameter.Value = value is { } time ? time.ToUniversalTime() : DBNull.Value;
    }

    public override IReadOnlyList<string> Migrations => PostgresMigrations.Scripts;

    public override string CreateMigrationsTable =>
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL
        );
        """;

    public override async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbConnection> OpenWriteAsync(WriteMode mode, CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, WriteMode mode, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (mode == WriteMode.Purge)
        {
            // For this transaction only: the commit returns without waiting for the log to reach the disk.
            await using var command = new NpgsqlCommand("SET LOCAL synchronous_commit = off;", (NpgsqlConnection)connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return transaction;
    }

    /// <summary>
    /// Nodes starting at once queue here: the second waits for the first to commit, then sees the versions it
    /// applied. Taken before the CREATE of the migrations table, which itself is not safe to run concurrently.
    /// </summary>
    public override Task LockMigrationsAsync(SqlSession session, CancellationToken cancellationToken) =>
        session.Command("SELECT pg_advisory_xact_lock(@key);").With("key", MigrationLockKey).ExecuteAsync(cancellationToken);

    /// <summary>NOTIFY inside the transaction: PostgreSQL delivers it at commit and drops it on rollback.</summary>
    public override Task PublishCredentialChangeAsync(SqlSession session, string registryId, long? generation, DateTimeOffset? previousValidUntil,
        CancellationToken cancellationToken) =>
        session.Command("SELECT pg_notify(@channel, @payload);")
            .With("channel", PostgresMetadataStore.CredentialsChannel)
            .With("payload", PostgresMetadataStore.FormatChange(registryId, generation, previousValidUntil))
            .ExecuteAsync(cancellationToken);

    public override Task PublishTokenRevokedAsync(SqlSession session, string registryId, string tokenId, CancellationToken cancellationToken) =>
        session.Command("SELECT pg_notify(@channel, @payload);")
            .With("channel", PostgresMetadataStore.CredentialsChannel)
            .With("payload", $"{registryId}:{PostgresMetadataStore.TokenRevokedMarker}{tokenId}")
            .ExecuteAsync(cancellationToken);

    public override Task PublishFederationRuleDeletedAsync(SqlSession session, string registryId, string ruleId, CancellationToken cancellationToken) =>
        session.Command("SELECT pg_notify(@channel, @payload);")
            .With("channel", PostgresMetadataStore.CredentialsChannel)
            .With("payload", $"{registryId}:{PostgresMetadataStore.FederationRuleMarker}:{ruleId}")
            .ExecuteAsync(cancellationToken);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// Lock and statement timeouts, a pool with no connection free in time, serialization failures and deadlocks:
    /// the transaction was rolled back and the request may be retried.
    /// </summary>
    public override bool IsBusy(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled
            or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.TooManyConnections,
        NpgsqlException e => e.InnerException is TimeoutException,
        _ => false,
    };
}
