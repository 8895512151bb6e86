using Berth.Core.Metadata;
using Berth.Metadata.Sql;
using Npgsql;

namespace Berth.Metadata.Postgres;

/// <summary>
/// The metadata store on a PostgreSQL database, which several nodes can share: the shared SQL store over
/// <see cref="PostgresDialect"/>, plus what only a shared database offers — the credential change feed, blob locks
/// across nodes and login throttling counters every node sees. Call <see cref="SqlMetadataStore.InitializeAsync"/>
/// once before use.
/// </summary>
public sealed partial class PostgresMetadataStore
    : SqlMetadataStore, ICredentialChangeFeed, IBlobLockProvider, ILoginThrottleStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string (<c>Berth:Metadata:ConnectionString</c>).</param>
    public PostgresMetadataStore(string connectionString)
        : this(NpgsqlDataSource.Create(connectionString))
    {
    }

    private PostgresMetadataStore(NpgsqlDataSource dataSource)
        : base(new PostgresDialect(dataSource)) => _dataSource = dataSource;

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
