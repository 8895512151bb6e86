using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    private const string UploadColumns = "id, registry_id, repository, size, started_at, updated_at";

    /// <summary>
    /// What counts against registry @registryId's allocation: its blobs and the bytes its upload sessions hold, except
    /// session @uploadId's (NULL excludes none). Run after <see cref="LockRegistryAsync"/> in the write it guards.
    /// </summary>
    private const string UsedBytes =
        """
        ((SELECT COALESCE(SUM(size), 0) FROM blobs WHERE registry_id = @registryId)
         + (SELECT COALESCE(SUM(held_bytes), 0) FROM uploads WHERE registry_id = @registryId AND id IS DISTINCT FROM @uploadId))
        """;

    public Task<UploadStartResult> CreateUploadAsync(UploadRecord upload, long heldBytes, int maxSessions, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // Starts, holds, blob adds and resizes of the registry queue on its lock, from any node: the count and the
            // usage read below stay true until this insert commits.
            if (await LockRegistryAsync(connection, upload.RegistryId, cancellationToken) is not { } limit)
            {
                return UploadStartResult.RegistryGone;
            }

            var (sessions, used) = (await connection.Command(
                $"""
                SELECT (SELECT COUNT(*) FROM uploads WHERE registry_id = @registryId), CAST({UsedBytes} AS bigint);
                """)
                .With("registryId", upload.RegistryId)
                .With<string?>("uploadId", null)
                .FirstAsync(r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken));
            if (sessions >= maxSessions)
            {
                return UploadStartResult.TooManySessions;
            }

            if (used + heldBytes > limit)
            {
                return UploadStartResult.OverLimit;
            }

            await connection.Command(
                """
                INSERT INTO uploads (id, registry_id, repository, size, held_bytes, started_at, updated_at)
                VALUES (@id, @registryId, @repository, @size, @held, @startedAt, @updatedAt);
                """)
                .With("id", upload.Id)
                .With("registryId", upload.RegistryId)
                .With("repository", upload.Repository)
                .With("size", upload.Size)
                .With("held", heldBytes)
                .With("startedAt", upload.StartedAt)
                .With("updatedAt", upload.UpdatedAt)
                .ExecuteAsync(cancellationToken);
            return UploadStartResult.Started;
        }, cancellationToken);

    public Task<long?> HoldUploadBytesAsync(string registryId, string uploadId, long neededBytes, long wantedBytes, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            if (await LockRegistryAsync(connection, registryId, cancellationToken) is not { } limit)
            {
                return null;
            }

            var state = await connection.Command(
                $"""
                SELECT held_bytes, CAST({UsedBytes} AS bigint) FROM uploads WHERE id = @uploadId AND registry_id = @registryId;
                """)
                .With("registryId", registryId)
                .With<string?>("uploadId", uploadId)
                .FirstAsync(r => ((long Held, long UsedByOthers)?)(r.GetInt64(0), r.GetInt64(1)), cancellationToken);
            if (state is not { } current)
            {
                return null;
            }

            var room = limit - current.UsedByOthers;
            if (current.Held >= neededBytes || room < neededBytes)
            {
                return current.Held;
            }

            // Ahead of what is needed, at most half of what would be left: a streaming session never takes all the room
            // that other sessions of the registry could use.
            var held = neededBytes + Math.Min(wantedBytes - neededBytes, (room - neededBytes) / 2);
            await connection.Command("UPDATE uploads SET held_bytes = @held, updated_at = @now WHERE id = @uploadId;")
                .With("uploadId", uploadId)
                .With("held", held)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return (long?)held;
        }, cancellationToken);

    public Task<UploadRecord?> GetUploadAsync(string registryId, string uploadId, CancellationToken cancellationToken) =>
        // Matching the registry too means an upload id leaked from one tenant is "not found" in another.
        Command($"SELECT {UploadColumns} FROM uploads WHERE id = @id AND registry_id = @registryId;")
            .With("id", uploadId)
            .With("registryId", registryId)
            .FirstAsync(ReadUpload, cancellationToken);

    public async Task<bool> UpdateUploadSizeAsync(string uploadId, long size, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        await WriteCommand("UPDATE uploads SET size = @size, held_bytes = @size, updated_at = @updatedAt WHERE id = @id;")
            .With("id", uploadId)
            .With("size", size)
            .With("updatedAt", updatedAt)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<bool> DeleteUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        await WriteCommand("DELETE FROM uploads WHERE id = @id;")
            .With("id", uploadId)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<UploadRecord>> ListStaleUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        await Command($"SELECT {UploadColumns} FROM uploads WHERE updated_at < @before ORDER BY updated_at;")
            .With("before", before)
            .ListAsync(ReadUpload, cancellationToken);

    public Task<IReadOnlySet<string>> GetExistingUploadsAsync(string registryId, IReadOnlyCollection<string> uploadIds, CancellationToken cancellationToken) =>
        ExistingAsync("uploads", "registry_id", registryId, "id", uploadIds, cancellationToken);

    private static UploadRecord ReadUpload(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetTime(4), r.GetTime(5));
}
