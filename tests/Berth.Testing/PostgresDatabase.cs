namespace Berth.Testing;

/// <summary>A database of a <see cref="PostgresServer"/>; disposing drops it (closing any connection still open).</summary>
public sealed class PostgresDatabase(PostgresServer server, string name, string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public ValueTask DisposeAsync() => new(server.DropDatabaseAsync(name));
}
