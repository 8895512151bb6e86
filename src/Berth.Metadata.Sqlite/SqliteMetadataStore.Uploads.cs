using System.Text.Json;
using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string UploadColumns = "id, registry_id, repository, size, started_at, updated_at";

    public async Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.Command(
            """
            INSERT INTO uploads (id, registry_id, repository, size, started_at, updated_at)
            VALUES ($id, $registryId, $repository, $size, $startedAt, $updatedAt);
            """)
            .With("$id", upload.Id)
            .With("$registryId", upload.RegistryId)
            .With("$repository", upload.Repository)
            .With("$size", upload.Size)
            .With("$startedAt", upload.StartedAt)
            .With("$updatedAt", upload.UpdatedAt)
            .ExecuteAsync(cancellationToken);
    }

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
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("UPDATE uploads SET size = $size, updated_at = $updatedAt WHERE id = $id;")
            .With("$id", uploadId)
            .With("$size", size)
            .With("$updatedAt", updatedAt)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<bool> DeleteUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
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
