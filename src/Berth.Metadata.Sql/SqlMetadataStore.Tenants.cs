using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    private const string SelectRegistry =
        """
        SELECT r.id, r.name, r.project_id, p.name, r.storage_limit_bytes, r.created_at, r.previous_password_valid_until
        FROM registries r JOIN projects p ON p.id = r.project_id
        WHERE r.deleted_at IS NULL
        """;

    public async Task<ProjectRecord> CreateProjectAsync(string id, string name, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        try
        {
            // RETURNING: the record carries the time as stored (to the microsecond), the same as later reads.
            return (await WriteCommand("INSERT INTO projects (id, name, created_at) VALUES (@id, @name, @createdAt) RETURNING id, name, created_at;")
                .With("id", id)
                .With("name", name)
                .With("createdAt", createdAt)
                .FirstAsync(ReadProject, cancellationToken))!;
        }
        catch (DbException e) when (_dialect.IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"project '{name}' already exists");
        }
    }

    public async Task<ProjectRecord?> GetProjectAsync(string name, CancellationToken cancellationToken) =>
        await Command("SELECT id, name, created_at FROM projects WHERE name = @name AND deleted_at IS NULL;")
            .With("name", name)
            .FirstAsync(ReadProject, cancellationToken);

    public async Task<IReadOnlyList<ProjectRecord>> ListProjectsAsync(CancellationToken cancellationToken) =>
        await Command("SELECT id, name, created_at FROM projects WHERE deleted_at IS NULL ORDER BY name;")
            .ListAsync(ReadProject, cancellationToken);

    public Task<ProjectDeleteResult> DeleteProjectAsync(string projectId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The project row locked first: a registry being created in it (which reads the row FOR SHARE) either
            // commits before and is counted below, or finds the project gone.
            if (!await connection.Command($"SELECT TRUE FROM projects WHERE id = @id AND deleted_at IS NULL {_dialect.ForUpdate};")
                    .With("id", projectId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return ProjectDeleteResult.ProjectGone;
            }

            if (await connection.Command("SELECT TRUE FROM registries WHERE project_id = @id AND deleted_at IS NULL LIMIT 1;")
                    .With("id", projectId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return ProjectDeleteResult.HasRegistries;
            }

            await connection.Command(
                $"""
                UPDATE projects SET deleted_name = name, name = '{DeletedNamePrefix}' || id, deleted_at = @now WHERE id = @id;
                DELETE FROM project_members WHERE project_id = @id;
                """)
                .With("id", projectId)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return ProjectDeleteResult.Deleted;
        }, cancellationToken);

    public async Task<ProjectRecord?> GetDeletedProjectAsync(string name, CancellationToken cancellationToken) =>
        await Command("SELECT id, deleted_name, created_at FROM projects WHERE deleted_name = @name ORDER BY deleted_at DESC LIMIT 1;")
            .With("name", name)
            .FirstAsync(ReadProject, cancellationToken);

    public async Task<RegistryRecord> CreateRegistryAsync(NewRegistry registry, CancellationToken cancellationToken)
    {
        try
        {
            // Inserting from the project row makes "only under an existing project" part of the one statement.
            return await WriteCommand(
                $"""
                INSERT INTO registries (id, name, project_id, password_hash, storage_limit_bytes, created_at)
                SELECT @id, @name, p.id, @passwordHash, @limit, @createdAt FROM projects p
                WHERE p.id = @projectId AND p.deleted_at IS NULL {_dialect.ForShare}
                RETURNING id, name, project_id, (SELECT name FROM projects WHERE id = @projectId), storage_limit_bytes, created_at, previous_password_valid_until;
                """)
                .With("id", registry.Id)
                .With("name", registry.Name)
                .With("projectId", registry.ProjectId)
                .With("passwordHash", registry.PasswordHash)
                .With("limit", registry.StorageLimitBytes)
                .With("createdAt", registry.CreatedAt)
                .FirstAsync(ReadRegistry, cancellationToken)
                ?? throw new KeyNotFoundException($"project '{registry.ProjectId}' does not exist");
        }
        catch (DbException e) when (_dialect.IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"registry '{registry.Name}' already exists");
        }
    }

    public async Task<RegistryRecord?> GetRegistryAsync(string name, CancellationToken cancellationToken) =>
        await Command(SelectRegistry + " AND r.name = @name;")
            .With("name", name)
            .FirstAsync(ReadRegistry, cancellationToken);

    public async Task<RegistryRecord?> GetRegistryByIdAsync(string registryId, CancellationToken cancellationToken) =>
        await Command(SelectRegistry + " AND r.id = @id;")
            .With("id", registryId)
            .FirstAsync(ReadRegistry, cancellationToken);

    public async Task<IReadOnlyList<RegistryRecord>> ListRegistriesAsync(string projectId, CancellationToken cancellationToken) =>
        await Command(SelectRegistry + " AND r.project_id = @projectId ORDER BY r.name;")
            .With("projectId", projectId)
            .ListAsync(ReadRegistry, cancellationToken);

    public Task<RegistryCredential?> GetCredentialAsync(string username, CancellationToken cancellationToken) =>
        Command(
            """
            SELECT id, name, password_hash, credential_generation, previous_password_hash, password_replaced_at, previous_password_valid_until
            FROM registries WHERE name = @name AND deleted_at IS NULL;
            """)
            .With("name", username)
            .FirstAsync(r => new RegistryCredential(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
                r.GetNullableString(4), r.GetNullableTime(5), r.GetNullableTime(6)), cancellationToken);

    public Task<CredentialState?> GetCredentialStateAsync(string registryId, CancellationToken cancellationToken) =>
        Command("SELECT credential_generation, previous_password_valid_until FROM registries WHERE id = @id AND deleted_at IS NULL;")
            .With("id", registryId)
            .FirstAsync(r => new CredentialState(r.GetInt64(0), r.GetNullableTime(1)), cancellationToken);

    public Task<long?> ReplacePasswordAsync(string registryId, string passwordHash, DateTimeOffset now, DateTimeOffset? keepPreviousUntil,
        CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // Always set, so a plain reset during an overlap ends it: only the password just replaced can be "previous".
            var generation = await connection.Command(
                """
                UPDATE registries SET previous_password_hash = password_hash, password_replaced_at = @now,
                    previous_password_valid_until = @keepUntil,
                    password_hash = @hash, credential_generation = credential_generation + 1
                WHERE id = @id AND deleted_at IS NULL
                RETURNING credential_generation;
                """)
                .With("id", registryId)
                .With("hash", passwordHash)
                .With("now", now)
                .With("keepUntil", keepPreviousUntil)
                .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);

            // In the same transaction: the news goes out when the new generation commits, never otherwise.
            if (generation is not null)
            {
                await _dialect.PublishCredentialChangeAsync(connection, registryId, generation, keepPreviousUntil, cancellationToken);
            }

            return generation;
        }, cancellationToken);

    public Task<long?> RevokePreviousPasswordAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The generation stays: the current password and its tokens are untouched; nodes drop generation - 1.
            var generation = await connection.Command(
                """
                UPDATE registries SET previous_password_valid_until = NULL
                WHERE id = @id AND deleted_at IS NULL AND previous_password_valid_until > @now
                RETURNING credential_generation;
                """)
                .With("id", registryId)
                .With("now", now)
                .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
            if (generation is not null)
            {
                await _dialect.PublishCredentialChangeAsync(connection, registryId, generation, previousValidUntil: null, cancellationToken);
            }

            return generation;
        }, cancellationToken);

    public Task<StorageLimitResult> SetStorageLimitAsync(string registryId, long limitBytes, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // Under the registry lock blob adds and upload holds take: the usage read is still true at the update.
            if (await LockRegistryAsync(connection, registryId, cancellationToken) is null)
            {
                return StorageLimitResult.RegistryGone;
            }

            return await connection.Command(
                $"""
                UPDATE registries SET storage_limit_bytes = @limit
                WHERE id = @registryId AND {UsedBytes} <= @limit;
                """)
                .With("registryId", registryId)
                .With<string?>("uploadId", null)
                .With("limit", limitBytes)
                .ExecuteAsync(cancellationToken) > 0
                ? StorageLimitResult.Set
                : StorageLimitResult.BelowUsage;
        }, cancellationToken);

    public Task<bool> DeleteRegistryAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The registry lock first, as blob writers take it: an add in flight finishes before the delete goes on
            // (and a later one finds the registry gone), instead of the two deadlocking over the rows in between.
            if (!await connection.Command($"SELECT TRUE FROM registries WHERE id = @id AND deleted_at IS NULL {_dialect.ForUpdate};")
                    .With("id", registryId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return false;
            }

            // A few rows whatever the registry holds, so no lock is held for long: the renamed row keeps what refers
            // to it valid until the purger has removed it, batch by batch. The password hash goes now. The news is
            // delivered when (and only if) all of this commits.
            await connection.Command(
                $"""
                UPDATE registries SET name = '{DeletedNamePrefix}' || id, password_hash = '', deleted_at = @now WHERE id = @id;
                DELETE FROM uploads WHERE registry_id = @id;
                INSERT INTO registry_purges (registry_id, deleted_at) VALUES (@id, @now) ON CONFLICT DO NOTHING;
                """)
                .With("id", registryId)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            await _dialect.PublishCredentialChangeAsync(connection, registryId, generation: null, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<bool> PurgeRegistryAsync(string registryId, int batchSize, CancellationToken cancellationToken) =>
        PurgeWriteAsync(async connection =>
        {
            if (!await connection.Command("SELECT TRUE FROM registries WHERE id = @id AND deleted_at IS NOT NULL;")
                    .With("id", registryId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return false;
            }

            // One repository at a time, then the blob records (no link is left to hold them), then the registry.
            var repositoryId = await connection.Command("SELECT id FROM repositories WHERE registry_id = @id LIMIT 1;")
                .With("id", registryId)
                .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
            if (repositoryId is { } id)
            {
                await PurgeRepositoryBatchAsync(connection, id, batchSize, cancellationToken);
                return true;
            }

            if (await connection.Command(
                    """
                    DELETE FROM blobs WHERE registry_id = @id
                      AND digest IN (SELECT digest FROM blobs WHERE registry_id = @id LIMIT @limit);
                    """)
                    .With("id", registryId)
                    .With("limit", batchSize)
                    .ExecuteAsync(cancellationToken) > 0)
            {
                return true;
            }

            await connection.Command(
                """
                DELETE FROM uploads WHERE registry_id = @id;
                DELETE FROM registries WHERE id = @id;
                """)
                .With("id", registryId)
                .ExecuteAsync(cancellationToken);
            return false;
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> ListPendingPurgesAsync(CancellationToken cancellationToken) =>
        await Command("SELECT registry_id FROM registry_purges ORDER BY deleted_at;")
            .ListAsync(r => r.GetString(0), cancellationToken);

    public Task CompletePurgeAsync(string registryId, CancellationToken cancellationToken) =>
        WriteCommand("DELETE FROM registry_purges WHERE registry_id = @id;")
            .With("id", registryId)
            .ExecuteAsync(cancellationToken);

    public Task AppendAuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        WriteCommand(
            """
            INSERT INTO audit_events (at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail)
            VALUES (@at, @actor, @action, @projectId, @projectName, @registryId, @registryName, @remote, @detail);
            """)
            .With("at", auditEvent.At)
            .With("actor", auditEvent.Actor)
            .With("action", auditEvent.Action)
            .With("projectId", auditEvent.ProjectId)
            .With("projectName", auditEvent.ProjectName)
            .With("registryId", auditEvent.RegistryId)
            .With("registryName", auditEvent.RegistryName)
            .With("remote", auditEvent.RemoteAddress)
            .With("detail", auditEvent.Detail)
            .ExecuteAsync(cancellationToken);

    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string projectId, string? registryId, int limit, CancellationToken cancellationToken) =>
        await Command(
            """
            SELECT at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail
            FROM audit_events
            WHERE project_id = @projectId AND (@registryId IS NULL OR registry_id = @registryId)
            ORDER BY id DESC LIMIT @limit;
            """)
            .With("projectId", projectId)
            .With("registryId", registryId)
            .With("limit", limit)
            .ListAsync(r => new AuditEvent(r.GetTime(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetNullableString(5), r.GetNullableString(6), r.GetNullableString(7), r.GetNullableString(8)), cancellationToken);

    public Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken) =>
        Command("SELECT value FROM settings WHERE key = @key;")
            .With("key", key)
            .FirstAsync(r => r.GetString(0), cancellationToken);

    public async Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken)
    {
        // Two statements, not one: ON CONFLICT waits for a concurrent first writer to commit, but a SELECT in the
        // same statement would still read the snapshot from before it. Settings are never deleted, so the row read
        // back is the first writer's.
        await WriteCommand("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT DO NOTHING;")
            .With("key", key)
            .With("value", value)
            .ExecuteAsync(cancellationToken);
        return (await GetSettingAsync(key, cancellationToken))!;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListSettingsAsync(string prefix, CancellationToken cancellationToken)
    {
        // Not LIKE (prefixes may contain '%' or '_') nor a range (PostgreSQL compares in the database's collation).
        // The table holds a handful of rows.
        var rows = await Command("SELECT key, value FROM settings WHERE substr(key, 1, @length) = @prefix;")
            .With("prefix", prefix)
            .With("length", prefix.Length)
            .ListAsync(r => (Key: r.GetString(0), Value: r.GetString(1)), cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        WriteCommand("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;")
            .With("key", key)
            .With("value", value)
            .ExecuteAsync(cancellationToken);

    private static ProjectRecord ReadProject(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetTime(2));

    private static RegistryRecord ReadRegistry(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetTime(5), r.GetNullableTime(6));
}
