using System.Runtime.CompilerServices;
using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Berth.Metadata.Sqlite;

/// <summary>
/// The metadata store on one SQLite database file (single node). Each operation opens a connection from
/// Microsoft.Data.Sqlite's pool and returns it at the end; writes that must be atomic run in an IMMEDIATE
/// transaction. Call <see cref="InitializeAsync"/> once before use.
/// </summary>
public sealed partial class SqliteMetadataStore
    : IMetadataStore, ITenantStore, IArtifactStore, IUploadStore, IAuditStore, IUserStore, IPullStatsStore, IAdvisoryStore, IScanStore,
      IDisposable
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    // A deleted registry or repository is renamed to this prefix and its id until it is purged: no valid name
    // contains '~', so the name is free at once and lookups by name never find the row.
    private const string DeletedNamePrefix = "~deleted~";

    // Sentinel value for the table below; only the keys matter.
    private static readonly object Configured = new();

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    // Physical connections (their sqlite3 handles) that already have the per-connection pragmas. A pooled
    // SqliteConnection reuses the same handle, so the pragmas run once per physical connection, not once per
    // operation; entries go away with their handles.
    private readonly ConditionalWeakTable<sqlite3, object> _configuredHandles = [];

    /// <param name="databasePath">The database file.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for the write lock before it fails with SQLITE_BUSY (5 s when null); the caller
    /// answers that as "busy, retry" (<see cref="IsBusy"/>).
    /// </param>
    public SqliteMetadataStore(string databasePath, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var timeout = busyTimeout ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(busyTimeout));
        _busyTimeoutMilliseconds = (int)Math.Ceiling(timeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,

            // Microsoft.Data.Sqlite retries a busy statement itself until this command timeout (30 s by default):
            // on top of SQLite's own busy_timeout that kept every writer waiting half a minute behind a long writer.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
        }.ToString();
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // WAL lets readers run alongside the writer. It is a property of the database file (set once, persists) and
        // cannot be changed inside a transaction.
        await connection.Command("PRAGMA journal_mode=WAL;").ExecuteAsync(cancellationToken);

        // IMMEDIATE serializes nodes/processes migrating at once: the second waits, then sees the versions applied.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.Command(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL
            );
            """, transaction).ExecuteAsync(cancellationToken);
        var current = await connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", transaction)
            .FirstAsync(r => r.GetInt32(0), cancellationToken);

        var scripts = SqliteMigrations.Scripts;
        for (var version = current + 1; version <= scripts.Count; version++)
        {
            await connection.Command(scripts[version - 1], transaction).ExecuteAsync(cancellationToken);
            await connection.Command("INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $now);", transaction)
                .With("$version", version)
                .With("$now", DateTimeOffset.UtcNow)
                .ExecuteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public bool IsBusy(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT 1;").FirstAsync(r => r.GetInt64(0), cancellationToken) == 1;
    }

    /// <summary>The value of a per-connection pragma on a connection of the store, as every operation gets one (tests).</summary>
    internal async Task<string> ReadPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.Command($"PRAGMA {pragma};").FirstAsync(r => r.GetString(0), cancellationToken))!;
    }

    /// <summary>Closes the pooled connections to the database file (the file can then be moved or deleted).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!_configuredHandles.TryGetValue(handle, out _))
            {
                // synchronous=FULL: under WAL, every commit fsyncs the log before it returns, so a write that was
                // answered survives a power cut (NORMAL could lose the last commits: a deleted registry or a reset
                // password coming back). busy_timeout makes SQLite itself wait for the write lock instead of failing
                // with SQLITE_BUSY at once.
                await connection.Command(
                    $"""
                    PRAGMA synchronous=FULL;
                    PRAGMA foreign_keys=ON;
                    PRAGMA busy_timeout={_busyTimeoutMilliseconds};
                    """).ExecuteAsync(cancellationToken);
                _configuredHandles.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in an IMMEDIATE transaction and commits it. IMMEDIATE takes the write lock up
    /// front (waiting per busy_timeout): a deferred transaction that reads and then writes fails outright with
    /// SQLITE_BUSY under WAL when another writer committed in between.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    private static bool IsUniqueViolation(SqliteException exception) =>
        exception.SqliteErrorCode == SqliteConstraint
        && exception.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;
}
