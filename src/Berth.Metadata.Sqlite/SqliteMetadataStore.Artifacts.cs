using System.Text.Json;
using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string SelectRepository = "SELECT id, registry_id, name, created_at FROM repositories WHERE registry_id = $registryId AND name = $name;";

    private const string ManifestColumns = "m.digest, m.media_type, m.content, m.artifact_type, m.subject_digest, m.created_at";

    // Keeps "updated" monotonic when writers' clocks (or calls) arrive out of order; the text format sorts by time.
    private const string TouchRepository = "UPDATE repositories SET updated_at = MAX(updated_at, $now) WHERE id = $repositoryId;";

    // A link checked more recently than this is not written again: a push HEADs each of its blobs in a burst.
    private static readonly TimeSpan CheckFreshness = TimeSpan.FromSeconds(1);

    // A digest list travels as one JSON array parameter: a single constant statement (prepared once, no
    // parameter-count limit, no chunking) that still probes the primary key per digest.
    private const string DigestList = "(SELECT value FROM json_each($digests))";

    public async Task<RepositoryRecord?> GetRepositoryAsync(string registryId, string repository, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectRepository)
            .With("$registryId", registryId)
            .With("$name", repository)
            .FirstAsync(ReadRepository, cancellationToken);
    }

    public async Task<RepositoryRecord> EnsureRepositoryAsync(string registryId, string repository, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // Every push calls this and the repository nearly always exists: try the lock-free read first.
        var existing = await connection.Command(SelectRepository)
            .With("$registryId", registryId)
            .With("$name", repository)
            .FirstAsync(ReadRepository, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        // Whoever inserts first wins; everyone reads back that row. Never under a deleted registry: its purge may
        // have removed the row already, or would miss a repository created behind it.
        await connection.Command(
            """
            INSERT OR IGNORE INTO repositories (registry_id, name, created_at, updated_at)
            SELECT $registryId, $name, $now, $now WHERE EXISTS (SELECT 1 FROM registries WHERE id = $registryId AND deleted_at IS NULL);
            """)
            .With("$registryId", registryId)
            .With("$name", repository)
            .With("$now", now)
            .ExecuteAsync(cancellationToken);
        return await connection.Command(SelectRepository)
            .With("$registryId", registryId)
            .With("$name", repository)
            .FirstAsync(ReadRepository, cancellationToken)
            ?? throw new RegistryGoneException(registryId);
    }

    public async Task<long?> GetRegistryBlobSizeAsync(string registryId, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT size FROM blobs WHERE registry_id = $registryId AND digest = $digest;")
            .With("$registryId", registryId)
            .With("$digest", digest)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
    }

    public async Task<long?> GetRepositoryBlobSizeAsync(string registryId, string repository, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            """
            SELECT b.size
            FROM repositories r
            JOIN repository_blobs rb ON rb.repository_id = r.id
            JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE r.registry_id = $registryId AND r.name = $name AND rb.digest = $digest;
            """)
            .With("$registryId", registryId)
            .With("$name", repository)
            .With("$digest", digest)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
    }

    public async Task<long?> CheckRepositoryBlobAsync(string registryId, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        (long RepositoryId, long Size, DateTimeOffset? CheckedAt)? found;
        await using (var reader = await OpenAsync(cancellationToken))
        {
            found = await reader.Command(
                """
                SELECT rb.repository_id, b.size, rb.checked_at
                FROM repositories r
                JOIN repository_blobs rb ON rb.repository_id = r.id
                JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
                WHERE r.registry_id = $registryId AND r.name = $name AND rb.digest = $digest;
                """)
                .With("$registryId", registryId)
                .With("$name", repository)
                .With("$digest", digest)
                .FirstAsync(r => ((long, long, DateTimeOffset?)?)(r.GetInt64(0), r.GetInt64(1), r.GetNullableTime(2)), cancellationToken);
        }

        if (found is not { } link || link.CheckedAt > now - CheckFreshness)
        {
            return found?.Size;
        }

        // Writes are serialised: either the collector's unlink came first (no row left to touch: the blob is unknown
        // after all) or it comes after and sees this check. A fresh check (the common case) writes nothing.
        await using var connection = await OpenWriterAsync(cancellationToken);
        var touched = await connection.Command(
            """
            UPDATE repository_blobs SET checked_at = MAX(COALESCE(checked_at, ''), $now)
            WHERE repository_id = $repositoryId AND digest = $digest;
            """)
            .With("$repositoryId", link.RepositoryId)
            .With("$digest", digest)
            .With("$now", now)
            .ExecuteAsync(cancellationToken);
        return touched == 1 ? link.Size : null;
    }

    public async Task<IReadOnlyDictionary<string, long>> GetRepositoryBlobSizesAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0)
        {
            return new Dictionary<string, long>(StringComparer.Ordinal);
        }

        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.Command(
            $"""
            SELECT rb.digest, b.size
            FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE rb.repository_id = $repositoryId AND rb.digest IN {DigestList};
            """)
            .With("$repositoryId", repositoryId)
            .With("$digests", JsonSerializer.Serialize(digests))
            .ListAsync(r => (Digest: r.GetString(0), Size: r.GetInt64(1)), cancellationToken);
        return rows.ToDictionary(row => row.Digest, row => row.Size, StringComparer.Ordinal);
    }

    public Task<BlobAddResult> AddBlobAsync(string registryId, long repositoryId, string digest, long size, DateTimeOffset now, string? uploadId,
        CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (!await connection.Command("SELECT 1 FROM registries WHERE id = $registryId AND deleted_at IS NULL;", transaction)
                    .With("$registryId", registryId)
                    .FirstAsync(_ => true, cancellationToken))
            {
                return BlobAddResult.RegistryGone;
            }

            // The limit check and the insert share the IMMEDIATE transaction: concurrent pushes are serialised here,
            // so together they can never take the registry past its limit. The upload's own held bytes are left out
            // of the usage: they are this blob.
            var added = await connection.Command(
                $"""
                INSERT OR IGNORE INTO blobs (registry_id, digest, size, created_at)
                SELECT $registryId, $digest, $size, $now
                WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE registry_id = $registryId AND digest = $digest)
                  AND {UsedBytes} + $size <= (SELECT storage_limit_bytes FROM registries WHERE id = $registryId);
                """, transaction)
                .With("$registryId", registryId)
                .With("$digest", digest)
                .With("$size", size)
                .With("$now", now)
                .With("$uploadId", uploadId)
                .ExecuteAsync(cancellationToken) == 1;
            if (!added && !await connection.Command("SELECT 1 FROM blobs WHERE registry_id = $registryId AND digest = $digest;", transaction)
                    .With("$registryId", registryId)
                    .With("$digest", digest)
                    .FirstAsync(_ => true, cancellationToken))
            {
                return BlobAddResult.OverLimit;
            }

            // A link already there was relied on by this upload: its check restarts the collector's grace.
            await connection.Command(
                """
                INSERT INTO repository_blobs (repository_id, registry_id, digest, created_at)
                VALUES ($repositoryId, $registryId, $digest, $now)
                ON CONFLICT (repository_id, digest) DO UPDATE SET checked_at = excluded.created_at;
                """, transaction)
                .With("$repositoryId", repositoryId)
                .With("$registryId", registryId)
                .With("$digest", digest)
                .With("$now", now)
                .ExecuteAsync(cancellationToken);
            await connection.Command(TouchRepository, transaction)
                .With("$repositoryId", repositoryId)
                .With("$now", now)
                .ExecuteAsync(cancellationToken);

            // The session's held bytes are stored bytes from now on: it ends with the add, never counted twice.
            await connection.Command("DELETE FROM uploads WHERE id = $uploadId;", transaction)
                .With("$uploadId", uploadId)
                .ExecuteAsync(cancellationToken);
            return added ? BlobAddResult.Added : BlobAddResult.AlreadyPresent;
        }, cancellationToken);

    public Task<bool> LinkBlobAsync(string registryId, long repositoryId, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Inserting from the registry's blob row makes "only if the registry holds it" part of the statement (and
            // a deleted registry's blobs, left for the purger, hold nothing).
            const string HeldBlob =
                """
                FROM blobs b JOIN registries g ON g.id = b.registry_id AND g.deleted_at IS NULL
                WHERE b.registry_id = $registryId AND b.digest = $digest
                """;
            var linked = await connection.Command(
                $"""
                INSERT OR IGNORE INTO repository_blobs (repository_id, registry_id, digest, created_at)
                SELECT $repositoryId, b.registry_id, b.digest, $now {HeldBlob};
                """, transaction)
                .With("$repositoryId", repositoryId)
                .With("$registryId", registryId)
                .With("$digest", digest)
                .With("$now", now)
                .ExecuteAsync(cancellationToken) == 1;
            if (linked)
            {
                await connection.Command(TouchRepository, transaction)
                    .With("$repositoryId", repositoryId)
                    .With("$now", now)
                    .ExecuteAsync(cancellationToken);
                return true;
            }

            // Nothing inserted: either it was linked already (success, and the mount relies on it: checked now) or the
            // registry lacks the blob (or is deleted).
            return await connection.Command(
                    $"UPDATE repository_blobs SET checked_at = $now WHERE repository_id = $repositoryId AND digest = $digest AND EXISTS (SELECT 1 {HeldBlob});",
                    transaction)
                .With("$repositoryId", repositoryId)
                .With("$registryId", registryId)
                .With("$digest", digest)
                .With("$now", now)
                .ExecuteAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> UnlinkUnreferencedBlobsAsync(long repositoryId, IReadOnlyCollection<string> candidates,
        DateTimeOffset createdBefore, DateTimeOffset checkedBefore, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenWriterAsync(cancellationToken);

        // One statement, and SQLite runs one writer at a time: a manifest stored before it keeps its blobs linked, one
        // stored after it finds them gone (PutManifestAsync checks in its transaction).
        return await connection.Command(
            $"""
            DELETE FROM repository_blobs
            WHERE repository_id = $repositoryId AND digest IN {DigestList}
              AND created_at < $createdBefore AND (checked_at IS NULL OR checked_at < $checkedBefore)
              AND NOT EXISTS (SELECT 1 FROM manifest_links ml
                              WHERE ml.repository_id = $repositoryId AND ml.child_digest = repository_blobs.digest)
            RETURNING digest;
            """)
            .With("$repositoryId", repositoryId)
            .With("$digests", JsonSerializer.Serialize(candidates))
            .With("$createdBefore", createdBefore)
            .With("$checkedBefore", checkedBefore)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<BlobLink>> ListUnreferencedLinksAsync(DateTimeOffset before, BlobLink? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await OpenAsync(cancellationToken);

        // Walks the links in primary key order (keyset paging); each asks the manifest_links_child index.
        return await connection.Command(
            """
            SELECT rb.registry_id, rb.repository_id, rb.digest, b.size
            FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE (rb.repository_id, rb.digest) > ($afterRepository, $afterDigest)
              AND rb.created_at < $before AND (rb.checked_at IS NULL OR rb.checked_at < $before)
              AND NOT EXISTS (SELECT 1 FROM manifest_links ml WHERE ml.repository_id = rb.repository_id AND ml.child_digest = rb.digest)
            ORDER BY rb.repository_id, rb.digest
            LIMIT $limit;
            """)
            .With("$afterRepository", after?.RepositoryId ?? 0)
            .With("$afterDigest", after?.Digest ?? "")
            .With("$before", before)
            .With("$limit", limit)
            .ListAsync(r => new BlobLink(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3)), cancellationToken);
    }

    public async Task<bool> UnlinkBlobAsync(long repositoryId, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("DELETE FROM repository_blobs WHERE repository_id = $repositoryId AND digest = $digest;")
            .With("$repositoryId", repositoryId)
            .With("$digest", digest)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<string>> ListUnreferencedBlobsAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            """
            SELECT b.digest FROM blobs b
            WHERE b.registry_id = $registryId
              AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.registry_id = b.registry_id AND rb.digest = b.digest)
            ORDER BY b.digest;
            """)
            .With("$registryId", registryId)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlySet<string>> GetRegistryBlobsAsync(string registryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.Command($"SELECT digest FROM blobs WHERE registry_id = $registryId AND digest IN {DigestList};")
            .With("$registryId", registryId)
            .With("$digests", JsonSerializer.Serialize(digests))
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<bool> RemoveRegistryBlobAsync(string registryId, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // One statement, so a link added since the caller listed the blob keeps it (the check and delete are atomic).
        return await connection.Command(
            """
            DELETE FROM blobs
            WHERE registry_id = $registryId AND digest = $digest
              AND NOT EXISTS (SELECT 1 FROM repository_blobs WHERE registry_id = $registryId AND digest = $digest);
            """)
            .With("$registryId", registryId)
            .With("$digest", digest)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<ManifestRecord?> GetManifestAsync(long repositoryId, string reference, CancellationToken cancellationToken)
    {
        // Tags cannot contain ':' and digests always do.
        var sql = reference.Contains(':', StringComparison.Ordinal)
            ? $"SELECT {ManifestColumns} FROM manifests m WHERE m.repository_id = $repositoryId AND m.digest = $reference;"
            : $"""
              SELECT {ManifestColumns}
              FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
              WHERE t.repository_id = $repositoryId AND t.name = $reference;
              """;
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(sql)
            .With("$repositoryId", repositoryId)
            .With("$reference", reference)
            .FirstAsync(ReadManifest, cancellationToken);
    }

    public async Task<IReadOnlySet<string>> GetExistingManifestsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.Command(
            $"SELECT digest FROM manifests WHERE repository_id = $repositoryId AND digest IN {DigestList};")
            .With("$repositoryId", repositoryId)
            .With("$digests", JsonSerializer.Serialize(digests))
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    public Task<bool> PutManifestAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Under the write lock: a collector's unlink is either done (the blob is missing: refuse) or waits for this
            // commit and then sees the manifest's links.
            var blobs = links.Where(l => !l.IsManifest).Select(l => l.Digest).Distinct(StringComparer.Ordinal).ToList();
            if (blobs.Count > 0 && await connection.Command(
                    $"SELECT COUNT(*) FROM repository_blobs WHERE repository_id = $repositoryId AND digest IN {DigestList};", transaction)
                    .With("$repositoryId", repositoryId)
                    .With("$digests", JsonSerializer.Serialize(blobs))
                    .FirstAsync(r => r.GetInt64(0), cancellationToken) != blobs.Count)
            {
                return false;
            }

            var inserted = await connection.Command(
                """
                INSERT OR IGNORE INTO manifests
                    (repository_id, digest, media_type, artifact_type, subject_digest, annotations_json, content, size, created_at)
                VALUES ($repositoryId, $digest, $mediaType, $artifactType, $subjectDigest, $annotations, $content, $size, $createdAt);
                """, transaction)
                .With("$repositoryId", repositoryId)
                .With("$digest", manifest.Digest)
                .With("$mediaType", manifest.MediaType)
                .With("$artifactType", manifest.ArtifactType)
                .With("$subjectDigest", manifest.SubjectDigest)
                .With("$annotations", annotationsJson)
                .With("$content", manifest.Content)
                .With("$size", manifest.Content.LongLength)
                .With("$createdAt", manifest.CreatedAt)
                .ExecuteAsync(cancellationToken) == 1;

            // The same digest means the same bytes, hence the same links: a re-push only needs the tag.
            if (inserted && links.Count > 0)
            {
                await InsertLinksAsync(connection, transaction, repositoryId, manifest.Digest, links, cancellationToken);
            }

            if (tag is not null)
            {
                await connection.Command(
                    """
                    INSERT INTO tags (repository_id, name, manifest_digest, updated_at)
                    VALUES ($repositoryId, $name, $digest, $now)
                    ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at;
                    """, transaction)
                    .With("$repositoryId", repositoryId)
                    .With("$name", tag)
                    .With("$digest", manifest.Digest)
                    .With("$now", now)
                    .ExecuteAsync(cancellationToken);
            }

            await connection.Command(TouchRepository, transaction)
                .With("$repositoryId", repositoryId)
                .With("$now", now)
                .ExecuteAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<ManifestRecord>> ListManifestsAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            $"SELECT {ManifestColumns} FROM manifests m WHERE m.repository_id = $repositoryId ORDER BY m.created_at DESC, m.digest;")
            .With("$repositoryId", repositoryId)
            .ListAsync(ReadManifest, cancellationToken);
    }

    public async Task<bool> DeleteRepositoryAsync(string registryId, long repositoryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // One row whatever the repository holds: the rest goes batch by batch (PurgeRepositoryAsync).
        return await connection.Command(
            $"""
            UPDATE repositories SET name = '{DeletedNamePrefix}' || id, deleted_at = $now
            WHERE id = $repositoryId AND registry_id = $registryId AND deleted_at IS NULL;
            """)
            .With("$repositoryId", repositoryId)
            .With("$registryId", registryId)
            .With("$now", now)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<DeletedRepository>> ListDeletedRepositoriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT id, registry_id FROM repositories WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id;")
            .ListAsync(r => new DeletedRepository(r.GetInt64(0), r.GetString(1)), cancellationToken);
    }

    public Task<RepositoryPurgeStep> PurgeRepositoryAsync(long repositoryId, int batchSize, CancellationToken cancellationToken) =>
        PurgeWriteAsync(async (connection, transaction) =>
        {
            // Only ever a deleted repository (or one of a deleted registry): a stale id must not purge a live one.
            if (!await connection.Command(
                    """
                    SELECT 1 FROM repositories r JOIN registries g ON g.id = r.registry_id
                    WHERE r.id = $repositoryId AND (r.deleted_at IS NOT NULL OR g.deleted_at IS NOT NULL);
                    """, transaction)
                    .With("$repositoryId", repositoryId)
                    .FirstAsync(_ => true, cancellationToken))
            {
                return new RepositoryPurgeStep([], More: false);
            }

            return await PurgeRepositoryBatchAsync(connection, transaction, repositoryId, batchSize, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Deletes the next batch of a repository's records, one kind per call and children before parents, so no
    /// statement cascades over more than a batch: a single DELETE of thousands of manifests with their tags still
    /// present grows faster than linearly and held the write lock for minutes.
    /// </summary>
    private static async Task<RepositoryPurgeStep> PurgeRepositoryBatchAsync(SqliteConnection connection, SqliteTransaction transaction,
        long repositoryId, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        string[] children =
        [
            "DELETE FROM tags WHERE repository_id = $repositoryId AND name IN (SELECT name FROM tags WHERE repository_id = $repositoryId LIMIT $limit);",
            // Links and scans go with their manifest (a handful of rows each, found by primary key).
            "DELETE FROM manifests WHERE rowid IN (SELECT rowid FROM manifests WHERE repository_id = $repositoryId LIMIT $limit);",
            """
            DELETE FROM pull_counts WHERE repository_id = $repositoryId AND (manifest_digest, hour_start) IN
                (SELECT manifest_digest, hour_start FROM pull_counts WHERE repository_id = $repositoryId LIMIT $limit);
            """,
        ];
        foreach (var sql in children)
        {
            if (await connection.Command(sql, transaction)
                    .With("$repositoryId", repositoryId)
                    .With("$limit", batchSize)
                    .ExecuteAsync(cancellationToken) > 0)
            {
                return new RepositoryPurgeStep([], More: true);
            }
        }

        var unlinked = await connection.Command(
            """
            DELETE FROM repository_blobs WHERE repository_id = $repositoryId
              AND digest IN (SELECT digest FROM repository_blobs WHERE repository_id = $repositoryId LIMIT $limit)
            RETURNING digest;
            """, transaction)
            .With("$repositoryId", repositoryId)
            .With("$limit", batchSize)
            .ListAsync(r => r.GetString(0), cancellationToken);
        if (unlinked.Count > 0)
        {
            return new RepositoryPurgeStep(unlinked, More: true);
        }

        await connection.Command("DELETE FROM repositories WHERE id = $repositoryId;", transaction)
            .With("$repositoryId", repositoryId)
            .ExecuteAsync(cancellationToken);
        return new RepositoryPurgeStep([], More: false);
    }

    public async Task<bool> DeleteManifestAsync(long repositoryId, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // Its tags and links go with it (ON DELETE CASCADE), in the same statement.
        return await connection.Command("DELETE FROM manifests WHERE repository_id = $repositoryId AND digest = $digest;")
            .With("$repositoryId", repositoryId)
            .With("$digest", digest)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<bool> DeleteTagAsync(long repositoryId, string tag, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("DELETE FROM tags WHERE repository_id = $repositoryId AND name = $name;")
            .With("$repositoryId", repositoryId)
            .With("$name", tag)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(long repositoryId, string? last, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await OpenAsync(cancellationToken);

        // Tag names are never empty, so '' as "no last" keeps one index range scan for both cases.
        return await connection.Command(
            """
            SELECT name FROM tags
            WHERE repository_id = $repositoryId AND name > $last
            ORDER BY name COLLATE BINARY
            LIMIT $limit;
            """)
            .With("$repositoryId", repositoryId)
            .With("$last", last ?? "")
            .With("$limit", limit)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<TagRecord>> ListTagRecordsAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            "SELECT name, manifest_digest, updated_at FROM tags WHERE repository_id = $repositoryId ORDER BY name COLLATE BINARY;")
            .With("$repositoryId", repositoryId)
            .ListAsync(r => new TagRecord(r.GetString(0), r.GetString(1), r.GetTime(2)), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registryId, string? last, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await OpenAsync(cancellationToken);

        // Repository names are never empty: see ListTagsAsync.
        return await connection.Command(
            """
            SELECT name FROM repositories
            WHERE registry_id = $registryId AND name > $last AND deleted_at IS NULL
            ORDER BY name COLLATE BINARY
            LIMIT $limit;
            """)
            .With("$registryId", registryId)
            .With("$last", last ?? "")
            .With("$limit", limit)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<RepositorySummary>> ListRepositorySummariesAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // Correlated subqueries, each an index range scan on the repository's key prefix. A repository links a blob
        // at most once (primary key), so the size sum counts each distinct blob once.
        return await connection.Command(
            """
            SELECT r.name,
                   (SELECT COUNT(*) FROM tags t WHERE t.repository_id = r.id),
                   (SELECT COUNT(*) FROM manifests m WHERE m.repository_id = r.id),
                   (SELECT COALESCE(SUM(b.size), 0)
                      FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
                     WHERE rb.repository_id = r.id),
                   r.created_at,
                   r.updated_at
            FROM repositories r
            WHERE r.registry_id = $registryId AND r.deleted_at IS NULL
            ORDER BY r.name COLLATE BINARY;
            """)
            .With("$registryId", registryId)
            .ListAsync(r => new RepositorySummary(
                r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt64(3), r.GetTime(4), r.GetTime(5)), cancellationToken);
    }

    public async Task<IReadOnlyList<ReferrerRecord>> ListReferrersAsync(long repositoryId, string subjectDigest, string? artifactType, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(
            """
            SELECT digest, media_type, size, artifact_type, annotations_json FROM manifests
            WHERE repository_id = $repositoryId AND subject_digest = $subject
              AND ($artifactType IS NULL OR artifact_type = $artifactType)
            ORDER BY digest;
            """)
            .With("$repositoryId", repositoryId)
            .With("$subject", subjectDigest)
            .With("$artifactType", artifactType)
            .ListAsync(r => new ReferrerRecord(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetNullableString(3), r.GetNullableString(4)), cancellationToken);
    }

    public async Task<RegistryUsage> GetUsageAsync(string registryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.Command(
            """
            SELECT (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE registry_id = $registryId),
                   (SELECT COUNT(*) FROM repositories WHERE registry_id = $registryId AND deleted_at IS NULL),
                   (SELECT COALESCE(SUM(held_bytes), 0) FROM uploads WHERE registry_id = $registryId);
            """)
            .With("$registryId", registryId)
            .FirstAsync(r => new RegistryUsage(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2)), cancellationToken))!;
    }

    private static async Task InsertLinksAsync(SqliteConnection connection, SqliteTransaction transaction, long repositoryId,
        string manifestDigest, IReadOnlyList<ManifestLink> links, CancellationToken cancellationToken)
    {
        // One command re-executed with new values: SQLite prepares the statement once. OR IGNORE because a manifest
        // may list the same child twice.
        await using var command = connection.Command(
            """
            INSERT OR IGNORE INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size)
            VALUES ($repositoryId, $manifestDigest, $childDigest, $isManifest, $size);
            """, transaction)
            .With("$repositoryId", repositoryId)
            .With("$manifestDigest", manifestDigest);
        var child = command.Parameters.Add("$childDigest", SqliteType.Text);
        var isManifest = command.Parameters.Add("$isManifest", SqliteType.Integer);
        var size = command.Parameters.Add("$size", SqliteType.Integer);
        foreach (var link in links)
        {
            child.Value = link.Digest;
            isManifest.Value = link.IsManifest ? 1 : 0;
            size.Value = link.Size;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static RepositoryRecord ReadRepository(SqliteDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetTime(3));

    private static ManifestRecord ReadManifest(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetFieldValue<byte[]>(2), r.GetNullableString(3), r.GetNullableString(4), r.GetTime(5));
}
