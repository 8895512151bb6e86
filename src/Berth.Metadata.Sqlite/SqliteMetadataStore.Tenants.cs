using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string SelectRegistry =
        """
        SELECT r.id, r.name, r.project_id, p.name, r.storage_limit_bytes, r.created_at
        FROM registries r JOIN projects p ON p.id = r.project_id
        WHERE r.deleted_at IS NULL
        """;

    public async Task<ProjectRecord> CreateProjectAsync(string id, string name, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        try
        {
            await connection.Command("INSERT INTO projects (id, name, created_at) VALUES ($id, $name, $createdAt);")
                .With("$id", id)
                .With("$name", name)
                .With("$createdAt", createdAt)
                .ExecuteAsync(cancellationToken);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"project '{name}' already exists");
        }

        return new ProjectRecord(id, name, createdAt.ToUniversalTime());
    }

    public async Task<ProjectRecord?> GetProjectAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT id, name, created_at FROM projects WHERE name = $name;")
            .With("$name", name)
            .FirstAsync(ReadProject, cancellationToken);
    }

    public async Task<IReadOnlyList<ProjectRecord>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT id, name, created_at FROM projects ORDER BY name;")
            .ListAsync(ReadProject, cancellationToken);
    }

    public Task<RegistryRecord> CreateRegistryAsync(NewRegistry registry, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var projectName = await connection.Command("SELECT name FROM projects WHERE id = $id;", transaction)
                .With("$id", registry.ProjectId)
                .FirstAsync(r => r.GetString(0), cancellationToken)
                ?? throw new KeyNotFoundException($"project '{registry.ProjectId}' does not exist");
            try
            {
                await connection.Command(
                    """
                    INSERT INTO registries (id, name, project_id, password_hash, storage_limit_bytes, created_at)
                    VALUES ($id, $name, $projectId, $passwordHash, $limit, $createdAt);
                    """, transaction)
                    .With("$id", registry.Id)
                    .With("$name", registry.Name)
                    .With("$projectId", registry.ProjectId)
                    .With("$passwordHash", registry.PasswordHash)
                    .With("$limit", registry.StorageLimitBytes)
                    .With("$createdAt", registry.CreatedAt)
                    .ExecuteAsync(cancellationToken);
            }
            catch (SqliteException e) when (IsUniqueViolation(e))
            {
                throw new MetadataConflictException($"registry '{registry.Name}' already exists");
            }

            return new RegistryRecord(registry.Id, registry.Name, registry.ProjectId, projectName,
                registry.StorageLimitBytes, registry.CreatedAt.ToUniversalTime());
        }, cancellationToken);

    public async Task<RegistryRecord?> GetRegistryAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectRegistry + " AND r.name = $name;")
            .With("$name", name)
            .FirstAsync(ReadRegistry, cancellationToken);
    }

    public async Task<RegistryRecord?> GetRegistryByIdAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectRegistry + " AND r.id = $id;")
            .With("$id", registryId)
            .FirstAsync(ReadRegistry, cancellationToken);
    }

    public async Task<IReadOnlyList<RegistryRecord>> ListRegistriesAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectRegistry + " AND r.project_id = $projectId ORDER BY r.name;")
            .With("$projectId", projectId)
            .ListAsync(ReadRegistry, cancellationToken);
    }

    public async Task<RegistryCredential?> GetCredentialAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
                "SELECT id, name, password_hash, credential_generation, previous_password_hash, password_replaced_at FROM registries WHERE name = $name AND deleted_at IS NULL;")
            .With("$name", username)
            .FirstAsync(r => new RegistryCredential(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetNullableTime(5)), cancellationToken);
    }

    public async Task<long?> GetCredentialGenerationAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT credential_generation FROM registries WHERE id = $id AND deleted_at IS NULL;")
            .With("$id", registryId)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
    }

    public async Task<long?> ReplacePasswordAsync(string registryId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command(
            """
            UPDATE registries SET previous_password_hash = password_hash, password_replaced_at = $now,
                password_hash = $hash, credential_generation = credential_generation + 1
            WHERE id = $id AND deleted_at IS NULL
            RETURNING credential_generation;
            """)
            .With("$id", registryId)
            .With("$hash", passwordHash)
            .With("$now", now)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
    }

    public Task<StorageLimitResult> SetStorageLimitAsync(string registryId, long limitBytes, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // The usage check is part of the update, in the IMMEDIATE transaction blob adds and upload holds also take.
            var set = await connection.Command(
                $"""
                UPDATE registries SET storage_limit_bytes = $limit
                WHERE id = $registryId AND deleted_at IS NULL AND {UsedBytes} <= $limit;
                """, transaction)
                .With("$registryId", registryId)
                .With("$uploadId", null)
                .With("$limit", limitBytes)
                .ExecuteAsync(cancellationToken) > 0;
            if (set)
            {
                return StorageLimitResult.Set;
            }

            return await connection.Command("SELECT 1 FROM registries WHERE id = $registryId AND deleted_at IS NULL;", transaction)
                .With("$registryId", registryId)
                .FirstAsync(_ => true, cancellationToken)
                ? StorageLimitResult.BelowUsage
                : StorageLimitResult.RegistryGone;
        }, cancellationToken);

    public Task<bool> DeleteRegistryAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // A few rows whatever the registry holds, so the write lock is held for moments: the renamed row keeps
            // what refers to it valid until the purger has removed it, batch by batch. The password hash goes now.
            var deleted = await connection.Command(
                $"""
                UPDATE registries SET name = '{DeletedNamePrefix}' || id, password_hash = '', deleted_at = $now
                WHERE id = $id AND deleted_at IS NULL;
                """, transaction)
                .With("$id", registryId)
                .With("$now", now)
                .ExecuteAsync(cancellationToken) > 0;
            if (deleted)
            {
                await connection.Command(
                    """
                    DELETE FROM uploads WHERE registry_id = $id;
                    INSERT OR IGNORE INTO registry_purges (registry_id, deleted_at) VALUES ($id, $now);
                    """, transaction)
                    .With("$id", registryId)
                    .With("$now", now)
                    .ExecuteAsync(cancellationToken);
            }

            return deleted;
        }, cancellationToken);

    public Task<bool> PurgeRegistryAsync(string registryId, int batchSize, CancellationToken cancellationToken) =>
        PurgeWriteAsync(async (connection, transaction) =>
        {
            if (!await connection.Command("SELECT 1 FROM registries WHERE id = $id AND deleted_at IS NOT NULL;", transaction)
                    .With("$id", registryId)
                    .FirstAsync(_ => true, cancellationToken))
            {
                return false;
            }

            // One repository at a time, then the blob records (no link is left to hold them), then the registry.
            var repositoryId = await connection.Command("SELECT id FROM repositories WHERE registry_id = $id LIMIT 1;", transaction)
                .With("$id", registryId)
                .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
            if (repositoryId is { } id)
            {
                await PurgeRepositoryBatchAsync(connection, transaction, id, batchSize, cancellationToken);
                return true;
            }

            if (await connection.Command(
                    """
                    DELETE FROM blobs WHERE registry_id = $id
                      AND digest IN (SELECT digest FROM blobs WHERE registry_id = $id LIMIT $limit);
                    """, transaction)
                    .With("$id", registryId)
                    .With("$limit", batchSize)
                    .ExecuteAsync(cancellationToken) > 0)
            {
                return true;
            }

            await connection.Command(
                """
                DELETE FROM uploads WHERE registry_id = $id;
                DELETE FROM registries WHERE id = $id;
                """, transaction)
                .With("$id", registryId)
                .ExecuteAsync(cancellationToken);
            return false;
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> ListPendingPurgesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT registry_id FROM registry_purges ORDER BY deleted_at;")
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task CompletePurgeAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        await connection.Command("DELETE FROM registry_purges WHERE registry_id = $id;")
            .With("$id", registryId)
            .ExecuteAsync(cancellationToken);
    }

    public async Task AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        await connection.Command(
            """
            INSERT INTO audit_events (at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail)
            VALUES ($at, $actor, $action, $projectId, $projectName, $registryId, $registryName, $remote, $detail);
            """)
            .With("$at", auditEvent.At)
            .With("$actor", auditEvent.Actor)
            .With("$action", auditEvent.Action)
            .With("$projectId", auditEvent.ProjectId)
            .With("$projectName", auditEvent.ProjectName)
            .With("$registryId", auditEvent.RegistryId)
            .With("$registryName", auditEvent.RegistryName)
            .With("$remote", auditEvent.RemoteAddress)
            .With("$detail", auditEvent.Detail)
            .ExecuteAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string projectId, string? registryId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            """
            SELECT at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail
            FROM audit_events
            WHERE project_id = $projectId AND ($registryId IS NULL OR registry_id = $registryId)
            ORDER BY id DESC LIMIT $limit;
            """)
            .With("$projectId", projectId)
            .With("$registryId", registryId)
            .With("$limit", limit)
            .ListAsync(r => new AuditEvent(r.GetTime(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetNullableString(5), r.GetNullableString(6), r.GetNullableString(7), r.GetNullableString(8)), cancellationToken);
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT value FROM settings WHERE key = $key;")
            .With("$key", key)
            .FirstAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // Settings are never deleted, so the row read back is the first writer's whichever statement won the race.
        await connection.Command("INSERT OR IGNORE INTO settings (key, value) VALUES ($key, $value);")
            .With("$key", key)
            .With("$value", value)
            .ExecuteAsync(cancellationToken);
        return (await connection.Command("SELECT value FROM settings WHERE key = $key;")
            .With("$key", key)
            .FirstAsync(r => r.GetString(0), cancellationToken))!;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListSettingsAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // A range on the primary key rather than LIKE: prefixes may contain '%' or '_'.
        var rows = await connection.Command("SELECT key, value FROM settings WHERE key >= $prefix AND key < $prefix || char(1114111);")
            .With("$prefix", prefix)
            .ListAsync(r => (Key: r.GetString(0), Value: r.GetString(1)), cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        await connection.Command(
            """
            INSERT INTO settings (key, value) VALUES ($key, $value)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """)
            .With("$key", key)
            .With("$value", value)
            .ExecuteAsync(cancellationToken);
    }

    private static ProjectRecord ReadProject(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetTime(2));

    private static RegistryRecord ReadRegistry(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetTime(5));
}
