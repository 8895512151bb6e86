using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Berth.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    /// <summary>
    /// A session-level advisory lock on a 64-bit key derived from (registry, digest), held on its own connection
    /// until disposed. Collisions of the key only make two unrelated blobs wait for each other, never unsafe.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireBlobLockAsync(string registryId, string digest, CancellationToken cancellationToken)
    {
        var key = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(registryId + "\0" + digest)));
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key);", connection);
            command.Parameters.Add(new NpgsqlParameter<long>("key", key));
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new AdvisoryLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class AdvisoryLock(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key);", connection);
                command.Parameters.Add(new NpgsqlParameter<long>("key", key));
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            finally
            {
                // Closing the session releases the lock anyway if the unlock failed.
                await connection.DisposeAsync();
            }
        }
    }
}
