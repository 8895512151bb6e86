using Berth.Core.Metadata;
using Npgsql;

namespace Berth.Metadata.Postgres;

/// <summary>
/// The metadata store on a PostgreSQL database, which several nodes can share. Single statements run on a pooled
/// connection of the <see cref="NpgsqlDataSource"/> (their own implicit transaction); writes that must be atomic
/// across statements run in an explicit READ COMMITTED transaction that first locks the registry row they depend on,
/// so concurrent writers from any node serialise per registry. Call <see cref="InitializeAsync"/> once before use.
/// </summary>
public sealed partial class PostgresMetadataStore
    : IMetadataStore, ICredentialChangeFeed, ILoginThrottleStore, IDisposable, IAsyncDisposable
{
    // Any constant works as long as nothing else in the database uses it as an advisory lock key: "berth" in ASCII.
    private const long MigrationLockKey = 0x62_65_72_74_68;

    // A deleted registry or repository is renamed to this prefix and its id until it is purged: no valid name
    // contains '~', so the name is free at once and lookups by name never find the row.
    private const string DeletedNamePrefix = "~deleted~";

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string (<c>Berth:Metadata:ConnectionString</c>).</param>
    public PostgresMetadataStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Nodes starting at once queue here: the second waits for the first to commit, then sees the versions it
        // applied. Taken before the CREATE below, which itself is not safe to run concurrently.
        await connection.Command("SELECT pg_advisory_xact_lock(@key);")
            .With("key", MigrationLockKey)
            .ExecuteAsync(cancellationToken);
        await connection.Command(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                applied_at timestamptz NOT NULL
            );
            """).ExecuteAsync(cancellationToken);
        var current = await connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;")
            .FirstAsync(r => r.GetInt32(0), cancellationToken);

        var scripts = PostgresMigrations.Scripts;
        for (var version = current + 1; version <= scripts.Count; version++)
        {
            await connection.Command(scripts[version - 1]).ExecuteAsync(cancellationToken);
            await connection.Command("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, now());")
                .With("version", version)
                .ExecuteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Command("SELECT 1;").FirstAsync(r => r.GetInt32(0), cancellationToken) == 1;
        }
        catch (NpgsqlException)
        {
            // Unreachable, refusing connections, shutting down: not ready, which is the answer asked for.
            return false;
        }
    }

    /// <summary>
    /// Lock and statement timeouts, a pool with no connection free in time, serialization failures and deadlocks:
    /// the transaction was rolled back and the request may be retried.
    /// </summary>
    public bool IsBusy(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled
            or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.TooManyConnections,
        NpgsqlException e => e.InnerException is TimeoutException,
        _ => false,
    };

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>A single statement on a pooled connection, taken when it runs and returned when it is done.</summary>
    private NpgsqlCommand Command(string sql) => _dataSource.CreateCommand(sql);

    /// <summary>Runs <paramref name="work"/> in one transaction on one connection and commits it.</summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Like <see cref="WriteAsync{T}"/> for a purge batch of records nobody can reach any more, committed without
    /// waiting for the log to reach the disk (synchronous_commit off for this transaction only): a batch lost to a
    /// crash is simply purged again, since the marks that made the records unreachable were committed durably, and the
    /// server never applies a later durable commit without the batches before it.
    /// </summary>
    private Task<T> PurgeWriteAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await connection.Command("SET LOCAL synchronous_commit = off;").ExecuteAsync(cancellationToken);
            return await work(connection);
        }, cancellationToken);

    /// <summary>
    /// Locks the registry row for the rest of the transaction and returns its storage limit, or null when the registry
    /// is gone. Every transaction that adds, links or drops a registry's blobs takes this lock first, so they run one
    /// after another per registry (across nodes) and each sees what the previous one committed. NO KEY UPDATE, not
    /// UPDATE: it must not block the key-share locks that foreign key checks take (creating repositories, uploads),
    /// while it still waits for, and is waited for by, a registry delete.
    /// </summary>
    private static Task<long?> LockRegistryAsync(NpgsqlConnection connection, string registryId, CancellationToken cancellationToken) =>
        connection.Command("SELECT storage_limit_bytes FROM registries WHERE id = @registryId AND deleted_at IS NULL FOR NO KEY UPDATE;")
            .With("registryId", registryId)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);

    private static bool IsUniqueViolation(PostgresException exception) => exception.SqlState == PostgresErrorCodes.UniqueViolation;
}
