using System.Security.Cryptography;

namespace Berth.Testing;

/// <summary>A database of a <see cref="PostgresServer"/>; disposing drops it (closing any connection still open).</summary>
public sealed class PostgresDatabase(PostgresServer server, string name, string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    /// <summary>
    /// The <c>Berth:DataProtection:Key</c> of the nodes on this database: one per database, so that they share it (as
    /// production nodes must) and nodes of other tests' databases do not.
    /// </summary>
    public string DataProtectionKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>What <c>berth serve</c> needs to run on this database as one of several nodes.</summary>
    public Dictionary<string, string> BerthEnvironment() => new()
    {
        ["Berth__Metadata__Provider"] = "postgres",
        ["Berth__Metadata__ConnectionString"] = ConnectionString,
        ["Berth__DataProtection__Key"] = DataProtectionKey,
    };

    public ValueTask DisposeAsync() => new(server.DropDatabaseAsync(name));
}
