using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Berth.Metadata.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Berth.Metadata.Sqlite;

/// <summary>
/// SQLite for the metadata store: one database file, one writer at a time. Each operation opens a connection from
/// Microsoft.Data.Sqlite's pool; writes wait their turn in <see cref="SqliteWriteGate"/> and run in IMMEDIATE
/// transactions, so no statement needs a row lock. Instants are stored as ISO 8601 text in UTC, which sorts by time.
/// </summary>
internal sealed class SqliteDialect : SqlDialect, IDisposable
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    // The per-connection pragmas of each physical connection (sqlite3 handle). A pooled SqliteConnection reuses the
    // same handle, so the pragmas run once per physical connection and the mode's when it changes, not once per
    // operation; entries go away with their handles.
    private readonly ConditionalWeakTable<sqlite3, HandleState> _handles = [];

    private readonly SqliteWriteGate _writeGate;
    private readonly SqliteCheckpointer _checkpointer;

    public SqliteDialect(string databasePath, TimeSpan? busyTimeout)
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

    /// <summary>What an operation may do on a connection, as its per-connection pragmas say.</summary>
    private enum ConnectionMode
    {
        /// <summary>Reads only: the database refuses writes.</summary>
        Read,

        /// <summary>Writes, each commit durable before it returns.</summary>
        Write,

        /// <summary>Purge batches: commits return before they reach the disk (<see cref="WriteMode.Purge"/>).</summary>
        PurgeWrite,
    }

    public override bool LocksRows => false;

    public override string Greatest(string left, string right) => $"MAX({left}, {right})";

    // A list travels as one JSON array parameter.
    public override string InList(string expression, string parameter) => $"{expression} IN (SELECT value FROM json_each(@{parameter}))";

    public override string CommaList(string expression) => $"group_concat({expression}, ',')";

    public override object ListValue<T>(IReadOnlyCollection<T> values) => JsonSerializer.Serialize(values);

    public override void BindTime(DbParameter parameter, DateTimeOffset? value)
    {
        parameter.DbType = System.Data.DbType.String;
        parameter.Value = value is { } time ? time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;
    }

    public override IReadOnlyList<string> Migrations => SqliteMigrations.Scripts;

    public override string CreateMigrationsTable =>
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        );
        """;

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        // WAL lets readers run alongside the writer. It is a property of the database file (set once, persists) and
        // cannot be changed inside a transaction.
        await using var connection = await OpenWriteAsync(WriteMode.Durable, cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public override void Started() => _checkpointer.Start();

    /// <summary>A connection for reads: the database refuses it any write (<c>query_only</c>), so no write can bypass the gate.</summary>
    public override async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) =>
        await OpenAsync(new SqliteConnection(_connectionString), ConnectionMode.Read, cancellationToken);

    /// <summary>
    /// A connection for writes, once it is this one's turn in <see cref="SqliteWriteGate"/>; disposing it hands the
    /// turn on. Every write of the store opens one of these, for a single statement or for a transaction.
    /// </summary>
    public override async Task<DbConnection> OpenWriteAsync(WriteMode mode, CancellationToken cancellationToken)
    {
        var turn = await _writeGate.EnterAsync(mode == WriteMode.Purge, cancellationToken);
        return await OpenAsync(new SqliteWriterConnection(_connectionString, turn),
            mode == WriteMode.Purge ? ConnectionMode.PurgeWrite : ConnectionMode.Write, cancellationToken);
    }

    /// <summary>
    /// IMMEDIATE takes the write lock up front (waiting per busy_timeout): a deferred transaction that reads and then
    /// writes fails outright with SQLITE_BUSY under WAL when another writer committed in between.
    /// </summary>
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, WriteMode mode, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };

    public override bool IsBusy(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    /// <summary>The value of a per-connection pragma on a read connection, as every operation gets one (tests).</summary>
    internal async Task<string> ReadPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)!;
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
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(PASSIVE);", cancellationToken);
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
                await ExecuteAsync(connection,
                    $"""
                    PRAGMA synchronous=FULL;
                    PRAGMA foreign_keys=ON;
                    PRAGMA busy_timeout={_busyTimeoutMilliseconds};
                    PRAGMA wal_autocheckpoint=0;
                    """, cancellationToken);
            }

            if (state.Mode != mode)
            {
                // The pooled handle keeps these settings: switch them only when the mode changes.
                await ExecuteAsync(connection, mode switch
                {
                    ConnectionMode.Read => "PRAGMA query_only=1; PRAGMA synchronous=FULL;",
                    ConnectionMode.Write => "PRAGMA query_only=0; PRAGMA synchronous=FULL;",
                    _ => "PRAGMA query_only=0; PRAGMA synchronous=NORMAL;",
                }, cancellationToken);
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

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The per-connection state of one physical connection.</summary>
    private sealed class HandleState
    {
        public ConnectionMode? Mode { get; set; }
    }
}
