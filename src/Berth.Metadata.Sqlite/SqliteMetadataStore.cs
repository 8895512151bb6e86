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
public sealed partial class SqliteMetadataStore : IMetadataStore, IDisposable
{
    /// <summary>The meter of the store's instruments (waits for and holds of the writer's turn).</summary>
    public const string MeterName = "Berth.Metadata.Sqlite";

    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    // A deleted registry or repository is renamed to this prefix and its id until it is purged: no valid name
    // contains '~', so the name is free at once and lookups by name never find the row.
    private const string DeletedNamePrefix = "~deleted~";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    // The per-connection pragmas of each physical connection (sqlite3 handle). A pooled SqliteConnection reuses the
    // same handle, so the pragmas run once per physical connection and the mode's when it changes, not once per
    // operation; entries go away with their handles.
    private readonly ConditionalWeakTable<sqlite3, HandleState> _handles = [];

    private readonly SqliteWriteGate _writeGate;
    private readonly SqliteCheckpointer _checkpointer;

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
        _checkpointer = new SqliteCheckpointer(CheckpointAsync, TimeSpan.FromSeconds(1));
        _writeGate = new SqliteWriteGate(timeout, _checkpointer.Written);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        _checkpointer.Start();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(ConnectionMode.Write, cancellationToken);

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

    /// <summary>
    /// Stops the background checkpoints and closes the pooled connections to the database file (the file can then be
    /// moved or deleted; the last connection to close checkpoints the log into it).
    /// </summary>
    public void Dispose()
    {
        _checkpointer.Dispose();
        _writeGate.Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        // Not a writer's turn: a PASSIVE checkpoint copies what it can beside the writer and the readers.
        await using var connection = await OpenAsync(new SqliteConnection(_connectionString), ConnectionMode.Write, cancellationToken);
        await connection.Command("PRAGMA wal_checkpoint(PASSIVE);").ExecuteAsync(cancellationToken);
    }

    /// <summary>A connection for reads: the database refuses it any write (<c>query_only</c>), so no write can bypass the gate.</summary>
    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) =>
        OpenAsync(new SqliteConnection(_connectionString), ConnectionMode.Read, cancellationToken);

    /// <summary>
    /// A connection for writes, once it is this one's turn in <see cref="SqliteWriteGate"/>; disposing it hands the
    /// turn on. Every write of the store opens one of these, for a single statement or for a transaction.
    /// </summary>
    private Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken) =>
        OpenWriterAsync(ConnectionMode.Write, cancellationToken);

    private async Task<SqliteConnection> OpenWriterAsync(ConnectionMode mode, CancellationToken cancellationToken)
    {
        var turn = await _writeGate.EnterAsync(mode == ConnectionMode.PurgeWrite, cancellationToken);
        return await OpenAsync(new SqliteWriterConnection(_connectionString, turn), mode, cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(SqliteConnection connection, ConnectionMode mode, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
            var state = _handles.GetOrCreateValue(connection.Handle!);
            if (state.Mode is null)
            {
                // synchronous=FULL: under WAL, every commit fsyncs the log before it returns, so a write that was
                // answered survives a power cut (NORMAL could lose the last commits: a deleted registry or a reset
                // password coming back). busy_timeout makes SQLite itself wait for the write lock (held by another
                // process) instead of failing with SQLITE_BUSY at once. wal_autocheckpoint=0: checkpoints run in
                // the background (SqliteCheckpointer), never in the commit of a request that happens to cross the
                // threshold right after a big write.
                await connection.Command(
                    $"""
                    PRAGMA synchronous=FULL;
                    PRAGMA foreign_keys=ON;
                    PRAGMA busy_timeout={_busyTimeoutMilliseconds};
                    PRAGMA wal_autocheckpoint=0;
                    """).ExecuteAsync(cancellationToken);
            }

            if (state.Mode != mode)
            {
                // The pooled handle keeps these settings: switch them only when the mode changes.
                await connection.Command(mode switch
                {
                    ConnectionMode.Read => "PRAGMA query_only=1; PRAGMA synchronous=FULL;",
                    ConnectionMode.Write => "PRAGMA query_only=0; PRAGMA synchronous=FULL;",
                    _ => "PRAGMA query_only=0; PRAGMA synchronous=NORMAL;",
                }).ExecuteAsync(cancellationToken);
                state.Mode = mode;
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
    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(ConnectionMode.Write, work, cancellationToken);

    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Like <see cref="WriteAsync{T}(Func{SqliteConnection, SqliteTransaction, Task{T}}, CancellationToken)"/> for a
    /// purge batch of records nobody can reach any more, committed without waiting for the disk (synchronous=NORMAL):
    /// the fsync of a large batch would double the time it holds the write lock, and a batch lost to a power cut is
    /// simply purged again (the marks that make the records unreachable were committed durably). Later durable commits
    /// sync the log up to and including such a batch, so no later write can survive without it.
    /// </summary>
    private Task<T> PurgeWriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(ConnectionMode.PurgeWrite, work, cancellationToken);

    private async Task<T> WriteAsync<T>(ConnectionMode mode, Func<SqliteConnection, SqliteTransaction, Task<T>> work,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(mode, cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>What an operation may do on a connection, as its per-connection pragmas say.</summary>
    private enum ConnectionMode
    {
        /// <summary>Reads only: the database refuses writes.</summary>
        Read,

        /// <summary>Writes, each commit durable before it returns.</summary>
        Write,

        /// <summary>Purge batches: commits return before they reach the disk (see <see cref="PurgeWriteAsync"/>).</summary>
        PurgeWrite,
    }

    /// <summary>The per-connection state of one physical connection.</summary>
    private sealed class HandleState
    {
        public ConnectionMode? Mode { get; set; }
    }

    private static bool IsUniqueViolation(SqliteException exception) =>
        exception.SqliteErrorCode == SqliteConstraint
        && exception.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;
}
