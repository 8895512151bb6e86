using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    public Task<TagImmutabilityRecord?> GetTagImmutabilityAsync(string registryId, CancellationToken cancellationToken) =>
        Command("SELECT rules_json, updated_at FROM tag_immutability WHERE registry_id = @registryId;")
            .With("registryId", registryId)
            .FirstAsync(r => new TagImmutabilityRecord(r.GetString(0), r.GetTime(1)), cancellationToken);

    public Task<bool> SetTagImmutabilityAsync(string registryId, string? rulesJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            if (!await connection.Command("SELECT TRUE FROM registries WHERE id = @registryId AND deleted_at IS NULL;")
                    .With("registryId", registryId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return false;
            }

            await connection.Command(rulesJson is null
                    ? "DELETE FROM tag_immutability WHERE registry_id = @registryId;"
                    : """
                      INSERT INTO tag_immutability (registry_id, rules_json, updated_at) VALUES (@registryId, @rules, @now)
                      ON CONFLICT (registry_id) DO UPDATE SET rules_json = excluded.rules_json, updated_at = excluded.updated_at;
                      """)
                .With("registryId", registryId)
                .With("rules", rulesJson)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task<ManifestPutResult> PutManifestProtectingTagAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string tag, DateTimeOffset now, CancellationToken cancellationToken) =>
        PutManifestAsync(repositoryId, manifest, links, annotationsJson, tag, tagProtected: true, now, cancellationToken);

    /// <summary>
    /// Whether the tag exists and points at another manifest; where writers run side by side the row stays locked until
    /// the commit, so it can't be moved or deleted in between.
    /// </summary>
    private async Task<bool> TagPointsElsewhereAsync(SqlSession connection, long repositoryId, string tag, string digest, CancellationToken cancellationToken)
    {
        var current = await connection.Command($"SELECT manifest_digest FROM tags WHERE repository_id = @repositoryId AND name = @tag {_dialect.ForUpdate};")
            .With("repositoryId", repositoryId)
            .With("tag", tag)
            .FirstAsync(r => r.GetString(0), cancellationToken);
        return current is not null && !string.Equals(current, digest, StringComparison.Ordinal);
    }

    /// <summary>
    /// Creates the protected tag, or touches it when it already points at this manifest. The check above can't lock a
    /// row that doesn't exist yet: a concurrent push creating the same tag commits first and this upsert then finds
    /// its row, updates nothing, and the transaction rolls back (<see cref="ProtectedTagMovedException"/>).
    /// </summary>
    private static async Task WriteProtectedTagAsync(SqlSession connection, long repositoryId, string tag, string digest, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var written = await connection.Command(
            """
            INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (@repositoryId, @tag, @digest, @now)
            ON CONFLICT (repository_id, name) DO UPDATE SET updated_at = excluded.updated_at
            WHERE tags.manifest_digest = excluded.manifest_digest;
            """)
            .With("repositoryId", repositoryId)
            .With("tag", tag)
            .With("digest", digest)
            .With("now", now)
            .ExecuteAsync(cancellationToken);
        if (written == 0)
        {
            throw new ProtectedTagMovedException();
        }

        // Tagged now: no longer counted as untagged by cleanup (a protected tag never moves, so no other manifest loses it).
        await connection.Command("UPDATE manifests SET untagged_at = NULL WHERE repository_id = @repositoryId AND digest = @digest AND untagged_at IS NOT NULL;")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>Unwinds the manifest write's transaction when its protected tag was taken meanwhile.</summary>
    private sealed class ProtectedTagMovedException : Exception;
}
