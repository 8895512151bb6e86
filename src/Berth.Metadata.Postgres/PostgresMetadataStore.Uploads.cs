using Berth.Core.Metadata;
using Npgsql;

namespace Berth.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string UploadColumns = "id, registry_id, repository, size, started_at, updated_at";

    public Task CreateUploadAsync(UploadRecord upload, CancellationToken cancellationToken) =>
        Command(
            """
            INSERT INTO uploads (id, registry_id, repository, size, started_at, updated_at)
            VALUES (@id, @registryId, @repository, @size, @startedAt, @updatedAt);
            """)
            .With("id", upload.Id)
            .With("registryId", upload.RegistryId)
            .With("repository", upload.Repository)
            .With("size", upload.Size)
            .With("startedAt", upload.StartedAt)
            .With("updatedAt", upload.UpdatedAt)
            .ExecuteAsync(cancellationToken);

    public Task<UploadRecord?> GetUploadAsync(string registryId, string uploadId, CancellationToken cancellationToken) =>
        // Matching the registry too means an upload id leaked from one tenant is "not found" in another.
        Command($"SELECT {UploadColumns} FROM uploads WHERE id = @id AND registry_id = @registryId;")
            .With("id", uploadId)
            .With("registryId", registryId)
            .FirstAsync(ReadUpload, cancellationToken);

    public async Task<bool> UpdateUploadSizeAsync(string uploadId, long size, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        await Command("UPDATE uploads SET size = @size, updated_at = @updatedAt WHERE id = @id;")
            .With("id", uploadId)
            .With("size", size)
            .With("updatedAt", updatedAt)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<bool> DeleteUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        await Command("DELETE FROM uploads WHERE id = @id;")
            .With("id", uploadId)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<UploadRecord>> ListStaleUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        await Command($"SELECT {UploadColumns} FROM uploads WHERE updated_at < @before ORDER BY updated_at;")
            .With("before", before)
            .ListAsync(ReadUpload, cancellationToken);

    public async Task<IReadOnlySet<string>> GetExistingUploadsAsync(string registryId, IReadOnlyCollection<string> uploadIds, CancellationToken cancellationToken)
    {
        if (uploadIds.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var rows = await Command("SELECT id FROM uploads WHERE registry_id = @registryId AND id = ANY(@ids);")
            .With("registryId", registryId)
            .With("ids", uploadIds.ToArray())
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    private static UploadRecord ReadUpload(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetTime(4), r.GetTime(5));
}
