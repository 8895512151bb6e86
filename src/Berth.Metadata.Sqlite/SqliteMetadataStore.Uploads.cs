using System.Text.Json;
using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string UploadColumns = "id, registry_id, repository, size, started_at, updated_at";

    /// <summary>
    /// What counts against registry $registryId's allocation: its blobs and the bytes its upload sessions hold, except
    /// session $uploadId's (NULL excludes none). Run inside the IMMEDIATE transaction of the write it guards.
    /// </summary>
    private const string UsedBytes =
        """
        ((SELECT COALESCE(SUM(size), 0) FROM blobs WHERE registry_id = $registryId)
         + (SELECT COALESCE(SUM(held_bytes), 0) FROM uploads WHERE registry_id = $registryId AND id IS NOT $uploadId))
        """;

    public Task<UploadStartResult> CreateUploadAsync(UploadRecord upload, long heldBytes, int maxSessions, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // The session count, the usage and the insert share the IMMEDIATE transaction: concurrent starts can't
            // together pass either bound.
            var state = await connection.Command(
                $"""
                SELECT (SELECT COUNT(*) FROM uploads WHERE registry_id = $registryId),
                       storage_limit_bytes - {UsedBytes}
                FROM registries WHERE id = $registryId;
                """, transaction)
                .With("$registryId", upload.RegistryId)
                .With("$uploadId", null)
                .FirstAsync(r => ((long Sessions, long Room)?)(r.GetInt64(0), r.GetInt64(1)), cancellationToken);
            if (state is not { } current)
            {
                return UploadStartResult.RegistryGone;
            }

            if (current.Sessions >= maxSessions)
            {
                return UploadStartResult.TooManySessions;
            }

            if (heldBytes > current.Room)
            {
                return UploadStartResult.OverLimit;
            }

            await connection.Command(
                """
                INSERT INTO uploads (id, registry_id, repository, size, held_bytes, started_at, updated_at)
                VALUES ($id, $registryId, $repository, $size, $held, $startedAt, $updatedAt);
                """, transaction)
                .With("$id", upload.Id)
                .With("$registryId", upload.RegistryId)
                .With("$repository", upload.Repository)
                .With("$size", upload.Size)
                .With("$held", heldBytes)
                .With("$startedAt", upload.StartedAt)
                .With("$updatedAt", upload.UpdatedAt)
                .ExecuteAsync(cancellationToken);
            return UploadStartResult.Started;
        }, cancellationToken);

    public Task<long?> HoldUploadBytesAsync(string registryId, string uploadId, long neededBytes, long wantedBytes, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var state = await connection.Command(
                $"""
                SELECT u.held_bytes, r.storage_limit_bytes - {UsedBytes}
                FROM uploads u JOIN registries r ON r.id = u.registry_id
                WHERE u.id = $uploadId AND u.registry_id = $registryId;
                """, transaction)
                .With("$registryId", registryId)
                .With("$uploadId", uploadId)
                .FirstAsync(r => ((long Held, long Room)?)(r.GetInt64(0), r.GetInt64(1)), cancellationToken);
            if (state is not { } current)
            {
                return null;
            }

            if (current.Held >= neededBytes || current.Room < neededBytes)
            {
                return current.Held;
            }

            // Ahead of what is needed, at most half of what would be left: a streaming session never takes all the room
            // that other sessions of the registry could use.
            var held = neededBytes + Math.Min(wantedBytes - neededBytes, (current.Room - neededBytes) / 2);
            await connection.Command("UPDATE uploads SET held_bytes = $held, updated_at = $now WHERE id = $uploadId;", transaction)
                .With("$uploadId", uploadId)
                .With("$held", held)
                .With("$now", now)
                .ExecuteAsync(cancellationToken);
            return (long?)held;
        }, cancellationToken);

    public async Task<UploadRecord?> GetUploadAsync(string registryId, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // Matching the registry too means an upload id leaked from one tenant is "not found" in another.
        return await connection.Command($"SELECT {UploadColumns} FROM uploads WHERE id = $id AND registry_id = $registryId;")
            .With("$id", uploadId)
            .With("$registryId", registryId)
            .FirstAsync(ReadUpload, cancellationToken);
    }

    public async Task<bool> UpdateUploadSizeAsync(string uploadId, long size, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("UPDATE uploads SET size = $size, held_bytes = $size, updated_at = $updatedAt WHERE id = $id;")
            .With("$id", uploadId)
            .With("$size", size)
            .With("$updatedAt", updatedAt)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<bool> DeleteUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("DELETE FROM uploads WHERE id = $id;")
            .With("$id", uploadId)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<UploadRecord>> ListStaleUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {UploadColumns} FROM uploads WHERE updated_at < $before ORDER BY updated_at;")
            .With("$before", before)
            .ListAsync(ReadUpload, cancellationToken);
    }

    public async Task<IReadOnlySet<string>> GetExistingUploadsAsync(string registryId, IReadOnlyCollection<string> uploadIds, CancellationToken cancellationToken)
    {
        if (uploadIds.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.Command("SELECT id FROM uploads WHERE registry_id = $registryId AND id IN (SELECT value FROM json_each($ids));")
            .With("$registryId", registryId)
            .With("$ids", JsonSerializer.Serialize(uploadIds))
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    private static UploadRecord ReadUpload(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetTime(4), r.GetTime(5));
}
