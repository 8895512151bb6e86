using Berth.Core.Metadata;
using Berth.Metadata.Sqlite;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Tests.Metadata;

/// <summary>SQLite for the metadata tests: every store of a test opens one database file in a directory of its own.</summary>
public sealed class SqliteStoreProvider : IMetadataStoreProvider
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "berth-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly List<SqliteMetadataStore> _stores = [];

    // A directory that does not exist yet: the store creates it.
    public string DatabasePath => Path.Combine(_directory, "data", "berth.db");

    /// <summary>Every store opened so far, the one <see cref="CreateAsync"/> made first.</summary>
    public IReadOnlyList<SqliteMetadataStore> Stores => _stores;

    public Task<IMetadataStore> CreateAsync() => Task.FromResult<IMetadataStore>(Open());

    /// <summary>A store over the test's database file (another one is a restart or a second process); not initialised.</summary>
    public SqliteMetadataStore Open()
    {
        var store = new SqliteMetadataStore(DatabasePath);
        _stores.Add(store);
        return store;
    }

    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table};";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync()
    {
        // Closing the pooled connections releases the file (and checkpoints the WAL) so the directory can go.
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
