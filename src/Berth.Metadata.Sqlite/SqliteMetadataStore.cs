using Berth.Metadata.Sql;

namespace Berth.Metadata.Sqlite;

/// <summary>
/// The metadata store on one SQLite database file (single node): the shared SQL store over <see cref="SqliteDialect"/>.
/// Call <see cref="SqlMetadataStore.InitializeAsync"/> once before use.
/// </summary>
public sealed class SqliteMetadataStore : SqlMetadataStore, IDisposable
{
    /// <summary>The meter of the store's instruments (waits for and holds of the writer's turn).</summary>
    public const string MeterName = "Berth.Metadata.Sqlite";

    private readonly SqliteDialect _dialect;

    /// <param name="databasePath">The database file.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for the write lock before it fails with SQLITE_BUSY (5 s when null); the caller
    /// answers that as "busy, retry" (<see cref="SqlMetadataStore.IsBusy"/>).
    /// </param>
    public SqliteMetadataStore(string databasePath, TimeSpan? busyTimeout = null)
        : this(new SqliteDialect(databasePath, busyTimeout))
    {
    }

    private SqliteMetadataStore(SqliteDialect dialect)
        : base(dialect) => _dialect = dialect;

    /// <summary>The value of a per-connection pragma on a connection of the store, as every operation gets one (tests).</summary>
    internal Task<string> ReadPragmaAsync(string pragma, CancellationToken cancellationToken) =>
        _dialect.ReadPragmaAsync(pragma, cancellationToken);

    /// <summary>
    /// Stops the background checkpoints and closes the pooled connections to the database file (the file can then be
    /// moved or deleted; the last connection to close checkpoints the log into it).
    /// </summary>
    public void Dispose() => _dialect.Dispose();
}
