using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    private const string RepositoryColumns = "id, registry_id, name, created_at";

    private const string SelectRepository = $"SELECT {RepositoryColumns} FROM repositories WHERE registry_id = @registryId AND name = @name;";

    private const string ManifestColumns = "m.digest, m.media_type, m.content, m.artifact_type, m.subject_digest, m.created_at";

    // A link checked more recently than this is not written again: a push HEADs each of its blobs in a burst.
    private static readonly TimeSpan CheckFreshness = TimeSpan.FromSeconds(1);

    // Manifest links written per statement: three parameters each, far below any provider's limit.
    private const int LinkChunk = 300;

    // Keeps "updated" monotonic when writers' clocks (or calls) arrive out of order.
    private string TouchRepository => $"UPDATE repositories SET updated_at = {_dialect.Greatest("updated_at", "@now")} WHERE id = @repositoryId;";

    public Task<RepositoryRecord?> GetRepositoryAsync(string registryId, string repository, CancellationToken cancellationToken) =>
        Command(SelectRepository)
            .With("registryId", registryId)
            .With("name", repository)
            .FirstAsync(ReadRepository, cancellationToken);

    public async Task<RepositoryRecord> EnsureRepositoryAsync(string registryId, string repository, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Every push calls this and the repository nearly always exists: the plain read first.
        var existing = await GetRepositoryAsync(registryId, repository, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        // Whoever inserts first wins; a loser's ON CONFLICT waits for the winner to commit, so the read after it
        // (a new statement, a new snapshot) finds the winner's row. Never under a deleted registry: its purge may
        // have removed the row already, or would miss a repository created behind it.
        return await WriteCommand(
            $"""
            INSERT INTO repositories (registry_id, name, created_at, updated_at)
            SELECT @registryId, @name, @now, @now WHERE EXISTS (SELECT 1 FROM registries WHERE id = @registryId AND deleted_at IS NULL)
            ON CONFLICT DO NOTHING
            RETURNING {RepositoryColumns};
            """)
            .With("registryId", registryId)
            .With("name", repository)
            .With("now", now)
            .FirstAsync(ReadRepository, cancellationToken)
            ?? await GetRepositoryAsync(registryId, repository, cancellationToken)
            ?? throw new RegistryGoneException(registryId);
    }

    public Task<long?> GetRegistryBlobSizeAsync(string registryId, string digest, CancellationToken cancellationToken) =>
        Command("SELECT size FROM blobs WHERE registry_id = @registryId AND digest = @digest;")
            .With("registryId", registryId)
            .With("digest", digest)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);

    public Task<long?> GetRepositoryBlobSizeAsync(string registryId, string repository, string digest, CancellationToken cancellationToken) =>
        Command(
            """
            SELECT b.size
            FROM repositories r
            JOIN repository_blobs rb ON rb.repository_id = r.id
            JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE r.registry_id = @registryId AND r.name = @name AND rb.digest = @digest;
            """)
            .With("registryId", registryId)
            .With("name", repository)
            .With("digest", digest)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);

    public async Task<long?> CheckRepositoryBlobAsync(string registryId, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = await Command(
            """
            SELECT rb.repository_id, b.size, rb.checked_at
            FROM repositories r
            JOIN repository_blobs rb ON rb.repository_id = r.id
            JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE r.registry_id = @registryId AND r.name = @name AND rb.digest = @digest;
            """)
            .With("registryId", registryId)
            .With("name", repository)
            .With("digest", digest)
            .FirstAsync(r => ((long RepositoryId, long Size, DateTimeOffset? CheckedAt)?)(r.GetInt64(0), r.GetInt64(1), r.GetNullableTime(2)), cancellationToken);
        if (found is not { } link || link.CheckedAt > now - CheckFreshness)
        {
            // Unknown, or checked a moment ago (the common case in a push's burst of HEADs): nothing to write.
            return found?.Size;
        }

        // A link the collector deleted since the read is not touched (the update finds no row), so the answer is
        // "unknown" rather than a size the push would then rely on in vain.
        return await WriteCommand(
            $"""
            UPDATE repository_blobs SET checked_at = {_dialect.Greatest("COALESCE(checked_at, @now)", "@now")}
            WHERE repository_id = @repositoryId AND digest = @digest;
            """)
            .With("repositoryId", link.RepositoryId)
            .With("digest", digest)
            .With("now", now)
            .ExecuteAsync(cancellationToken) == 1 ? link.Size : null;
    }

    public async Task<IReadOnlyDictionary<string, long>> GetRepositoryBlobSizesAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0)
        {
            return new Dictionary<string, long>(StringComparer.Ordinal);
        }

        var rows = await Command(
            $"""
            SELECT rb.digest, b.size
            FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE rb.repository_id = @repositoryId AND {_dialect.InList("rb.digest", "digests")};
            """)
            .With("repositoryId", repositoryId)
            .WithList("digests", digests)
            .ListAsync(r => (Digest: r.GetString(0), Size: r.GetInt64(1)), cancellationToken);
        return rows.ToDictionary(row => row.Digest, row => row.Size, StringComparer.Ordinal);
    }

    public Task<BlobAddResult> AddBlobAsync(string registryId, long repositoryId, string digest, long size, DateTimeOffset now, string? uploadId,
        CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // Concurrent adds to the registry, from any node, queue on this lock; the statement below starts after
            // it is granted, so its usage sum includes every blob committed before: they can't overshoot together.
            if (await LockRegistryAsync(connection, registryId, cancellationToken) is not { } limit)
            {
                return BlobAddResult.RegistryGone;
            }

            // The limit check and the insert come after the lock: together concurrent pushes can never take the
            // registry past its limit. The upload's own held bytes are left out of the usage: they are this blob.
            var added = await connection.Command(
                $"""
                INSERT INTO blobs (registry_id, digest, size, created_at)
                SELECT @registryId, @digest, @size, @now
                WHERE {UsedBytes} + @size <= @limit
                ON CONFLICT DO NOTHING;
                """)
                .With("registryId", registryId)
                .With("digest", digest)
                .With("size", size)
                .With("now", now)
                .With("limit", limit)
                .With("uploadId", uploadId)
                .ExecuteAsync(cancellationToken) == 1;
            if (!added && !await connection.Command("SELECT TRUE FROM blobs WHERE registry_id = @registryId AND digest = @digest;")
                    .With("registryId", registryId)
                    .With("digest", digest)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return BlobAddResult.OverLimit;
            }

            // A link already there was relied on by this upload: its check restarts the collector's grace. Once the
            // blob is the registry's the session ends with it: its held bytes are stored bytes from now on, never
            // counted twice.
            await connection.Command(
                $"""
                INSERT INTO repository_blobs (repository_id, registry_id, digest, created_at)
                VALUES (@repositoryId, @registryId, @digest, @now)
                ON CONFLICT (repository_id, digest) DO UPDATE SET checked_at = excluded.created_at;
                {TouchRepository}
                DELETE FROM uploads WHERE id = @uploadId;
                """)
                .With("repositoryId", repositoryId)
                .With("registryId", registryId)
                .With("digest", digest)
                .With("now", now)
                .With("uploadId", uploadId)
                .ExecuteAsync(cancellationToken);
            return added ? BlobAddResult.Added : BlobAddResult.AlreadyPresent;
        }, cancellationToken);

    public Task<bool> LinkBlobAsync(string registryId, long repositoryId, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The registry lock keeps a garbage collector's RemoveRegistryBlobAsync from dropping the blob between
            // the check and the link.
            if (await LockRegistryAsync(connection, registryId, cancellationToken) is null)
            {
                return false;
            }

            // Inserting from the registry's blob row makes "only if the registry holds it" part of the statement.
            var linked = await connection.Command(
                """
                INSERT INTO repository_blobs (repository_id, registry_id, digest, created_at)
                SELECT @repositoryId, registry_id, digest, @now FROM blobs WHERE registry_id = @registryId AND digest = @digest
                ON CONFLICT DO NOTHING;
                """)
                .With("repositoryId", repositoryId)
                .With("registryId", registryId)
                .With("digest", digest)
                .With("now", now)
                .ExecuteAsync(cancellationToken) == 1;
            if (linked)
            {
                await connection.Command(TouchRepository)
                    .With("repositoryId", repositoryId)
                    .With("now", now)
                    .ExecuteAsync(cancellationToken);
                return true;
            }

            // Nothing inserted: either it was linked already (success, and the mount relies on it, which restarts
            // the collector's grace) or the registry lacks the blob.
            return await connection.Command(
                """
                UPDATE repository_blobs SET checked_at = @now
                WHERE repository_id = @repositoryId AND digest = @digest
                  AND EXISTS (SELECT 1 FROM blobs WHERE registry_id = @registryId AND digest = @digest);
                """)
                .With("repositoryId", repositoryId)
                .With("registryId", registryId)
                .With("digest", digest)
                .With("now", now)
                .ExecuteAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async Task<IReadOnlyList<string>> UnlinkUnreferencedBlobsAsync(long repositoryId, IReadOnlyCollection<string> candidates,
        DateTimeOffset createdBefore, DateTimeOffset checkedBefore, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        return await WriteAsync(async connection =>
        {
            // Lock the links first (where writers run side by side): a manifest PUT holds FOR SHARE on the links it
            // names until it commits, so this waits for it, and a PUT after this waits for the delete and then finds
            // the links gone. A single DELETE … WHERE NOT EXISTS would not do: under READ COMMITTED its subquery's
            // snapshot can miss the manifest links a PUT is committing at that moment. In digest order, as the PUT
            // locks them, so the two never deadlock. With one writer at a time, the PUT is simply before or after.
            if (_dialect.LocksRows)
            {
                await connection.Command(
                    $"SELECT 1 FROM repository_blobs WHERE repository_id = @repositoryId AND {_dialect.InList("digest", "digests")} ORDER BY digest {_dialect.ForUpdate};")
                    .With("repositoryId", repositoryId)
                    .WithList("digests", candidates)
                    .ExecuteAsync(cancellationToken);
            }

            // A new statement, a new snapshot: it sees every manifest committed before the locks were granted. Binned
            // manifests' links count as references: a bin move or restore replaces one kind by the other in one commit.
            return await connection.Command(
                $"""
                DELETE FROM repository_blobs
                WHERE repository_id = @repositoryId AND {_dialect.InList("digest", "digests")}
                  AND created_at < @createdBefore AND (checked_at IS NULL OR checked_at < @checkedBefore)
                  AND NOT EXISTS (SELECT 1 FROM manifest_links ml
                                  WHERE ml.repository_id = @repositoryId AND ml.child_digest = repository_blobs.digest)
                  AND NOT EXISTS (SELECT 1 FROM deleted_manifest_links dl
                                  WHERE dl.repository_id = @repositoryId AND dl.child_digest = repository_blobs.digest)
                RETURNING digest;
                """)
                .With("repositoryId", repositoryId)
                .WithList("digests", candidates)
                .With("createdBefore", createdBefore)
                .With("checkedBefore", checkedBefore)
                .ListAsync(r => r.GetString(0), cancellationToken);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<BlobLink>> ListUnreferencedLinksAsync(DateTimeOffset before, BlobLink? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        // Walks the links in primary key order (keyset paging); each asks the manifest_links_child index.
        return await Command(
            """
            SELECT rb.registry_id, rb.repository_id, rb.digest, b.size
            FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE (rb.repository_id, rb.digest) > (@afterRepository, @afterDigest)
              AND rb.created_at < @before AND (rb.checked_at IS NULL OR rb.checked_at < @before)
              AND NOT EXISTS (SELECT 1 FROM manifest_links ml WHERE ml.repository_id = rb.repository_id AND ml.child_digest = rb.digest)
              AND NOT EXISTS (SELECT 1 FROM deleted_manifest_links dl WHERE dl.repository_id = rb.repository_id AND dl.child_digest = rb.digest)
            ORDER BY rb.repository_id, rb.digest
            LIMIT @limit;
            """)
            .With("afterRepository", after?.RepositoryId ?? 0L)
            .With("afterDigest", after?.Digest ?? "")
            .With("before", before)
            .With("limit", limit)
            .ListAsync(r => new BlobLink(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3)), cancellationToken);
    }

    public async Task<bool> UnlinkBlobAsync(long repositoryId, string digest, CancellationToken cancellationToken) =>
        await WriteCommand("DELETE FROM repository_blobs WHERE repository_id = @repositoryId AND digest = @digest;")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<string>> ListUnreferencedBlobsAsync(string registryId, CancellationToken cancellationToken) =>
        await Command(
            """
            SELECT b.digest FROM blobs b
            WHERE b.registry_id = @registryId
              AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.registry_id = b.registry_id AND rb.digest = b.digest)
            ORDER BY b.digest;
            """)
            .With("registryId", registryId)
            .ListAsync(r => r.GetString(0), cancellationToken);

    public Task<IReadOnlySet<string>> GetRegistryBlobsAsync(string registryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        ExistingAsync("blobs", "registry_id", registryId, "digest", digests, cancellationToken);

    public Task<bool> RemoveRegistryBlobAsync(string registryId, string digest, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // Under the registry lock no add or mount is half done, so "not linked" read here stays true until the
            // delete commits (without it, a racing link would surface as a foreign key error on one side).
            if (await LockRegistryAsync(connection, registryId, cancellationToken) is null)
            {
                return false;
            }

            return await connection.Command(
                """
                DELETE FROM blobs
                WHERE registry_id = @registryId AND digest = @digest
                  AND NOT EXISTS (SELECT 1 FROM repository_blobs WHERE registry_id = @registryId AND digest = @digest);
                """)
                .With("registryId", registryId)
                .With("digest", digest)
                .ExecuteAsync(cancellationToken) > 0;
        }, cancellationToken);

    public Task<ManifestRecord?> GetManifestAsync(long repositoryId, string reference, CancellationToken cancellationToken)
    {
        // Tags cannot contain ':' and digests always do.
        var sql = reference.Contains(':', StringComparison.Ordinal)
            ? $"SELECT {ManifestColumns} FROM manifests m WHERE m.repository_id = @repositoryId AND m.digest = @reference;"
            : $"""
              SELECT {ManifestColumns}
              FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
              WHERE t.repository_id = @repositoryId AND t.name = @reference;
              """;
        return Command(sql)
            .With("repositoryId", repositoryId)
            .With("reference", reference)
            .FirstAsync(ReadManifest, cancellationToken);
    }

    public Task<ManifestLookup?> FindManifestAsync(string registryId, string repository, string reference, CancellationToken cancellationToken)
    {
        // From the repository row, so "no such repository" and "no such manifest" come from the same query.
        var manifest = reference.Contains(':', StringComparison.Ordinal)
            ? "LEFT JOIN manifests m ON m.repository_id = r.id AND m.digest = @reference"
            : """
              LEFT JOIN tags t ON t.repository_id = r.id AND t.name = @reference
              LEFT JOIN manifests m ON m.repository_id = r.id AND m.digest = t.manifest_digest
              """;
        return Command(
            $"""
            SELECT r.id, {ManifestColumns}
            FROM repositories r
            {manifest}
            WHERE r.registry_id = @registryId AND r.name = @name;
            """)
            .With("registryId", registryId)
            .With("name", repository)
            .With("reference", reference)
            .FirstAsync(r => new ManifestLookup(r.GetInt64(0), r.IsDBNull(1) ? null : ReadManifest(r, 1)), cancellationToken);
    }

    public Task<IReadOnlySet<string>> GetExistingManifestsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        ExistingAsync("manifests", "repository_id", repositoryId, "digest", digests, cancellationToken);

    public async Task<bool> PutManifestAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, DateTimeOffset now, CancellationToken cancellationToken) =>
        await PutManifestAsync(repositoryId, manifest, links, annotationsJson, tag, tagProtected: false, now, cancellationToken) == ManifestPutResult.Stored;

    /// <summary>
    /// Stores the manifest and points the tag at it; with <paramref name="tagProtected"/> (an immutability rule covers
    /// the tag) only if the tag is new or already points at this manifest, checked in the same transaction.
    /// </summary>
    private async Task<ManifestPutResult> PutManifestAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, bool tagProtected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteManifestAsync(repositoryId, manifest, links, annotationsJson, tag, tagProtected, now, cancellationToken);
        }
        catch (ProtectedTagMovedException)
        {
            // Thrown inside the transaction so that it rolls back the manifest it had stored.
            return ManifestPutResult.TagImmutable;
        }
    }

    private Task<ManifestPutResult> WriteManifestAsync(long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, bool tagProtected, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The blob links the manifest names, share-locked until the commit: a collector's unlink (FOR UPDATE first)
            // either waits for this commit and then sees the manifest's links, or went first and the link is missing
            // here (a row deleted while this waited is skipped): refuse rather than store a manifest with a missing blob.
            var blobs = links.Where(l => !l.IsManifest).Select(l => l.Digest).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (blobs.Length > 0 && (await connection.Command(
                    $"SELECT digest FROM repository_blobs WHERE repository_id = @repositoryId AND {_dialect.InList("digest", "digests")} ORDER BY digest {_dialect.ForShare};")
                    .With("repositoryId", repositoryId)
                    .WithList("digests", blobs)
                    .ListAsync(r => r.GetString(0), cancellationToken)).Count != blobs.Length)
            {
                return ManifestPutResult.BlobMissing;
            }

            if (tagProtected && tag is not null && await TagPointsElsewhereAsync(connection, repositoryId, tag, manifest.Digest, cancellationToken))
            {
                return ManifestPutResult.TagImmutable;
            }

            await StoreManifestAsync(connection, repositoryId, manifest, links, annotationsJson, tag, tagProtected, now, cancellationToken);
            return ManifestPutResult.Stored;
        }, cancellationToken);

    private async Task StoreManifestAsync(SqlSession connection, long repositoryId, ManifestRecord manifest, IReadOnlyList<ManifestLink> links,
        string? annotationsJson, string? tag, bool tagProtected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inserted = await connection.Command(
            """
            INSERT INTO manifests
                (repository_id, digest, media_type, artifact_type, subject_digest, annotations_json, content, size, created_at)
            VALUES (@repositoryId, @digest, @mediaType, @artifactType, @subjectDigest, @annotations, @content, @size, @createdAt)
            ON CONFLICT DO NOTHING;
            """)
            .With("repositoryId", repositoryId)
            .With("digest", manifest.Digest)
            .With("mediaType", manifest.MediaType)
            .With("artifactType", manifest.ArtifactType)
            .With("subjectDigest", manifest.SubjectDigest)
            .With("annotations", annotationsJson)
            .With("content", manifest.Content)
            .With("size", manifest.Content.LongLength)
            .With("createdAt", manifest.CreatedAt)
            .ExecuteAsync(cancellationToken) == 1;

        // The links go in only with a newly inserted manifest: the same digest means the same bytes, hence the same
        // links, so a re-push only needs the tag. ON CONFLICT DO NOTHING on the links too: a manifest may list a
        // child twice.
        foreach (var chunk in inserted ? links.Chunk(LinkChunk) : [])
        {
            var rows = string.Join(", ", chunk.Select((_, i) => $"(@repositoryId, @digest, @child{i}, @isManifest{i}, @size{i})"));
            var insert = connection.Command(
                $"""
                INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) VALUES {rows}
                ON CONFLICT DO NOTHING;
                """)
                .With("repositoryId", repositoryId)
                .With("digest", manifest.Digest);
            for (var i = 0; i < chunk.Length; i++)
            {
                insert.With($"child{i}", chunk[i].Digest).With($"isManifest{i}", chunk[i].IsManifest).With($"size{i}", chunk[i].Size);
            }

            await insert.ExecuteAsync(cancellationToken);
        }

        if (tagProtected && tag is not null)
        {
            await WriteProtectedTagAsync(connection, repositoryId, tag, manifest.Digest, now, cancellationToken);
            tag = null;
        }

        // A tag moved away from its manifest may leave that one untagged (cleanup's "untagged for N hours" counts
        // from then); the manifest it now points at is tagged again.
        var sql = (tag is null ? "" :
            """
            UPDATE manifests SET untagged_at = @now
            WHERE repository_id = @repositoryId
              AND digest = (SELECT manifest_digest FROM tags WHERE repository_id = @repositoryId AND name = @tag AND manifest_digest <> @digest)
              AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = @repositoryId AND t.manifest_digest = manifests.digest AND t.name <> @tag);
            INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (@repositoryId, @tag, @digest, @now)
            ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at;
            UPDATE manifests SET untagged_at = NULL WHERE repository_id = @repositoryId AND digest = @digest AND untagged_at IS NOT NULL;
            """)
            + TouchRepository;
        await connection.Command(sql)
            .With("repositoryId", repositoryId)
            .With("digest", manifest.Digest)
            .With("tag", tag)
            .With("now", now)
            .ExecuteAsync(cancellationToken);
    }

    public async Task<bool> DeleteRepositoryAsync(string registryId, long repositoryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        // One row whatever the repository holds: the rest goes batch by batch (PurgeRepositoryAsync).
        await WriteCommand(
            $"""
            UPDATE repositories SET name = '{DeletedNamePrefix}' || id, deleted_at = @now
            WHERE id = @repositoryId AND registry_id = @registryId AND deleted_at IS NULL;
            """)
            .With("repositoryId", repositoryId)
            .With("registryId", registryId)
            .With("now", now)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<DeletedRepository>> ListDeletedRepositoriesAsync(CancellationToken cancellationToken) =>
        await Command("SELECT id, registry_id FROM repositories WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id;")
            .ListAsync(r => new DeletedRepository(r.GetInt64(0), r.GetString(1)), cancellationToken);

    public Task<RepositoryPurgeStep> PurgeRepositoryAsync(long repositoryId, int batchSize, CancellationToken cancellationToken) =>
        PurgeWriteAsync(async connection =>
        {
            // Only ever a deleted repository (or one of a deleted registry): a stale id must not purge a live one.
            if (!await connection.Command(
                    """
                    SELECT TRUE FROM repositories r JOIN registries g ON g.id = r.registry_id
                    WHERE r.id = @repositoryId AND (r.deleted_at IS NOT NULL OR g.deleted_at IS NOT NULL);
                    """)
                    .With("repositoryId", repositoryId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return new RepositoryPurgeStep([], More: false);
            }

            return await PurgeRepositoryBatchAsync(connection, repositoryId, batchSize, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Deletes the next batch of a repository's records, one kind per call and children before parents, so no
    /// statement cascades over more than a batch (a single DELETE of a big repository held its locks for minutes).
    /// </summary>
    private static async Task<RepositoryPurgeStep> PurgeRepositoryBatchAsync(SqlSession connection, long repositoryId, int batchSize,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        string[] children =
        [
            "DELETE FROM tags WHERE repository_id = @repositoryId AND name IN (SELECT name FROM tags WHERE repository_id = @repositoryId LIMIT @limit);",
            // The recovery bin goes with the repository (a repository delete is not restorable); binned links with their manifest.
            "DELETE FROM deleted_tags WHERE repository_id = @repositoryId AND name IN (SELECT name FROM deleted_tags WHERE repository_id = @repositoryId LIMIT @limit);",
            "DELETE FROM deleted_manifests WHERE repository_id = @repositoryId AND digest IN (SELECT digest FROM deleted_manifests WHERE repository_id = @repositoryId LIMIT @limit);",
            // Links and scans go with their manifest (a handful of rows each, found by primary key).
            "DELETE FROM manifests WHERE repository_id = @repositoryId AND digest IN (SELECT digest FROM manifests WHERE repository_id = @repositoryId LIMIT @limit);",
            """
            DELETE FROM pull_counts WHERE repository_id = @repositoryId AND (manifest_digest, hour_start) IN
                (SELECT manifest_digest, hour_start FROM pull_counts WHERE repository_id = @repositoryId LIMIT @limit);
            """,
        ];
        foreach (var sql in children)
        {
            if (await connection.Command(sql)
                    .With("repositoryId", repositoryId)
                    .With("limit", batchSize)
                    .ExecuteAsync(cancellationToken) > 0)
            {
                return new RepositoryPurgeStep([], More: true);
            }
        }

        var unlinked = await connection.Command(
            """
            DELETE FROM repository_blobs WHERE repository_id = @repositoryId
              AND digest IN (SELECT digest FROM repository_blobs WHERE repository_id = @repositoryId LIMIT @limit)
            RETURNING digest;
            """)
            .With("repositoryId", repositoryId)
            .With("limit", batchSize)
            .ListAsync(r => r.GetString(0), cancellationToken);
        if (unlinked.Count > 0)
        {
            return new RepositoryPurgeStep(unlinked, More: true);
        }

        await connection.Command("DELETE FROM repositories WHERE id = @repositoryId;")
            .With("repositoryId", repositoryId)
            .ExecuteAsync(cancellationToken);
        return new RepositoryPurgeStep([], More: false);
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(long repositoryId, string? last, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        // Tag names are never empty, so '' as "no last" keeps one index range scan for both cases. The column's "C"
        // collation makes both the comparison and the order ordinal.
        return await Command("SELECT name FROM tags WHERE repository_id = @repositoryId AND name > @last ORDER BY name LIMIT @limit;")
            .With("repositoryId", repositoryId)
            .With("last", last ?? "")
            .With("limit", limit)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registryId, string? last, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);

        // Repository names are never empty: see ListTagsAsync.
        return await Command("SELECT name FROM repositories WHERE registry_id = @registryId AND name > @last AND deleted_at IS NULL ORDER BY name LIMIT @limit;")
            .With("registryId", registryId)
            .With("last", last ?? "")
            .With("limit", limit)
            .ListAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<RepositorySummary>> ListRepositorySummariesAsync(string registryId, CancellationToken cancellationToken) =>
        // Correlated subqueries, each an index range scan on the repository's key prefix. A repository links a blob
        // at most once (primary key), so the size sum counts each distinct blob once.
        await Command(
            """
            SELECT r.name,
                   (SELECT COUNT(*) FROM tags t WHERE t.repository_id = r.id),
                   (SELECT COUNT(*) FROM manifests m WHERE m.repository_id = r.id),
                   (SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint)
                      FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
                     WHERE rb.repository_id = r.id),
                   r.created_at,
                   r.updated_at
            FROM repositories r
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL
            ORDER BY r.name;
            """)
            .With("registryId", registryId)
            .ListAsync(r => new RepositorySummary(
                r.GetString(0), checked((int)r.GetInt64(1)), checked((int)r.GetInt64(2)), r.GetInt64(3), r.GetTime(4), r.GetTime(5)), cancellationToken);

    public async Task<IReadOnlyList<ReferrerRecord>> ListReferrersAsync(long repositoryId, string subjectDigest, string? artifactType, CancellationToken cancellationToken) =>
        await Command(
            """
            SELECT digest, media_type, size, artifact_type, annotations_json FROM manifests
            WHERE repository_id = @repositoryId AND subject_digest = @subject
              AND (@artifactType IS NULL OR artifact_type = @artifactType)
            ORDER BY digest;
            """)
            .With("repositoryId", repositoryId)
            .With("subject", subjectDigest)
            .With("artifactType", artifactType)
            .ListAsync(r => new ReferrerRecord(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetNullableString(3), r.GetNullableString(4)), cancellationToken);

    public async Task<RegistryUsage> GetUsageAsync(string registryId, CancellationToken cancellationToken) =>
        (await Command(
            """
            SELECT (SELECT CAST(COALESCE(SUM(size), 0) AS bigint) FROM blobs WHERE registry_id = @registryId),
                   (SELECT COUNT(*) FROM repositories WHERE registry_id = @registryId AND deleted_at IS NULL),
                   (SELECT CAST(COALESCE(SUM(held_bytes), 0) AS bigint) FROM uploads WHERE registry_id = @registryId);
            """)
            .With("registryId", registryId)
            .FirstAsync(r => new RegistryUsage(r.GetInt64(0), checked((int)r.GetInt64(1)), r.GetInt64(2)), cancellationToken))!;

    /// <summary>
    /// True when the manifest exists; it is then held (where writers run side by side) until the transaction ends, so
    /// a delete can't pass in between.
    /// </summary>
    private Task<bool> LockManifestAsync(SqlSession session, long repositoryId, string digest, CancellationToken cancellationToken) =>
        session.Command($"SELECT TRUE FROM manifests WHERE repository_id = @repositoryId AND digest = @digest {_dialect.ForShare};")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .FirstAsync(r => r.GetBoolean(0), cancellationToken);

    private static RepositoryRecord ReadRepository(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetTime(3));

    private static ManifestRecord ReadManifest(DbDataReader r) => ReadManifest(r, 0);

    /// <summary>A manifest from <see cref="ManifestColumns"/> starting at column <paramref name="first"/>.</summary>
    private static ManifestRecord ReadManifest(DbDataReader r, int first) =>
        new(r.GetString(first), r.GetString(first + 1), r.GetFieldValue<byte[]>(first + 2), r.GetNullableString(first + 3),
            r.GetNullableString(first + 4), r.GetTime(first + 5));
}
