using Berth.Core.Metadata;
using Berth.Metadata.Postgres;
using Berth.Testing;
using Npgsql;

namespace Berth.Storage.Tests.Metadata;

/// <summary>PostgreSQL for the metadata tests: a fresh database per test on the shared server, dropped at the end.</summary>
public sealed class PostgresStoreProvider(PostgresServer server) : IMetadataStoreProvider
{
    private readonly List<PostgresMetadataStore> _stores = [];
    private readonly List<PostgresDatabase> _databases = [];

    /// <summary>The database <see cref="CreateAsync"/> made first.</summary>
    public string ConnectionString => _databases[0].ConnectionString;

    /// <summary>Every store opened so far, the one <see cref="CreateAsync"/> made first.</summary>
    public IReadOnlyList<PostgresMetadataStore> Stores => _stores;

    /// <summary>
    /// A store on <paramref name="connectionString"/>, not initialised, that the caller disposes. The one place a
    /// PostgreSQL store is built, for the tests that manage their own databases too.
    /// </summary>
    public static PostgresMetadataStore NewStore(string connectionString) => new(connectionString);

    public async Task<IMetadataStore> CreateAsync()
    {
        await CreateDatabaseAsync();
        return Open(ConnectionString);
    }

    /// <summary>A new, empty database on the server; dropped with the provider.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var database = await server.CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }

    /// <summary>A store on <paramref name="connectionString"/> (another one on the same database is another node); not initialised.</summary>
    public PostgresMetadataStore Open(string connectionString)
    {
        var store = NewStore(connectionString);
        _stores.Add(store);
        return store;
    }

    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {table};", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
