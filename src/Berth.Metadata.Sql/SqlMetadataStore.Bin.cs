using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

/// <summary>
/// Deleting tags and manifests, and the recovery bin (deleted_tags, deleted_manifests, deleted_manifest_links). A
/// manifest is binned by moving its row and links, so at every commit its blobs are referenced either by live or by
/// binned links: the unlink and collection queries count both (see UnlinkUnreferencedBlobsAsync), so nothing a binned
/// manifest needs is collected until the bin entry is purged.
/// </summary>
public abstract partial class SqlMetadataStore
{
    private static readonly PagingKey BinDeleted = new(ListSort.DeletedKey, "deleted_at", IsTime: true, Unique: false);

    private const string ManifestRowColumns = "repository_id, digest, media_type, artifact_type, subject_digest, annotations_json, content, size, created_at";

    private const string LinkColumns = "repository_id, manifest_digest, child_digest, is_manifest, size";

    public Task<string?> RemoveTagAsync(long repositoryId, string tag, RemovalGuard? guard, DateTimeOffset now, DateTimeOffset? expiresAt,
        CancellationToken cancellationToken) =>
        WriteAsync<string?>(async session =>
        {
            // Held until the commit: a PUT moving the tag meanwhile waits, then finds it gone (and recreates it).
            var digest = await session.Command($"SELECT manifest_digest FROM tags WHERE repository_id = @repositoryId AND name = @tag {_dialect.ForUpdate};")
                .With("repositoryId", repositoryId)
                .With("tag", tag)
                .FirstAsync(r => r.GetString(0), cancellationToken);
            if (digest is null ||
                (guard is not null && (digest != guard.Digest || await PulledSinceAsync(session, repositoryId, digest, guard.NotPulledSince, cancellationToken))))
            {
                return null;
            }

            if (expiresAt is { } expires)
            {
                await BinTagsAsync(session, repositoryId, "name", tag, now, expires, cancellationToken);
            }

            await session.Command(
                """
                DELETE FROM tags WHERE repository_id = @repositoryId AND name = @tag;
                UPDATE manifests SET untagged_at = @now
                WHERE repository_id = @repositoryId AND digest = @digest
                  AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = @repositoryId AND t.manifest_digest = @digest);
                """)
                .With("repositoryId", repositoryId)
                .With("tag", tag)
                .With("digest", digest)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return digest;
        }, cancellationToken);

    public Task<ManifestRemoval?> RemoveManifestAsync(long repositoryId, string digest, DateTimeOffset? notPulledSince, DateTimeOffset now,
        DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        WriteAsync<ManifestRemoval?>(async session =>
        {
            // The row lock keeps a concurrent tag PUT (which inserts a tag referencing it) behind this transaction.
            if (!await session.Command($"SELECT TRUE FROM manifests WHERE repository_id = @repositoryId AND digest = @digest {_dialect.ForUpdate};")
                    .With("repositoryId", repositoryId)
                    .With("digest", digest)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return null;
            }

            if (notPulledSince is { } since && await session.Command(
                    """
                    SELECT EXISTS (SELECT 1 FROM tags WHERE repository_id = @repositoryId AND manifest_digest = @digest)
                        OR EXISTS (SELECT 1 FROM manifest_links WHERE repository_id = @repositoryId AND child_digest = @digest AND is_manifest)
                        OR EXISTS (SELECT 1 FROM pull_counts WHERE repository_id = @repositoryId AND manifest_digest = @digest AND last_pulled_at >= @since);
                    """)
                    .With("repositoryId", repositoryId)
                    .With("digest", digest)
                    .With("since", since)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                return null;
            }

            var tags = await session.Command("SELECT name FROM tags WHERE repository_id = @repositoryId AND manifest_digest = @digest ORDER BY name;")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .ListAsync(r => r.GetString(0), cancellationToken);
            var blobs = await session.Command(
                    "SELECT child_digest FROM manifest_links WHERE repository_id = @repositoryId AND manifest_digest = @digest AND NOT is_manifest ORDER BY child_digest;")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .ListAsync(r => r.GetString(0), cancellationToken);

            // Binned: the row and links are copied before the delete, in this transaction. The same digest binned
            // before (deleted, pushed again, deleted again) has the same content and links: only its times move on.
            // Deleted at once: binned tags of it have nothing left to restore, unless an older bin entry of the same
            // digest still holds the content.
            var move = expiresAt is null
                ? """
                  DELETE FROM deleted_tags WHERE repository_id = @repositoryId AND manifest_digest = @digest
                    AND NOT EXISTS (SELECT 1 FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest);
                  """
                : $"""
                  INSERT INTO deleted_manifests ({ManifestRowColumns}, deleted_at, expires_at)
                  SELECT {ManifestRowColumns}, @now, @expiresAt FROM manifests WHERE repository_id = @repositoryId AND digest = @digest
                  ON CONFLICT (repository_id, digest) DO UPDATE SET deleted_at = excluded.deleted_at, expires_at = excluded.expires_at;
                  INSERT INTO deleted_manifest_links ({LinkColumns})
                  SELECT {LinkColumns} FROM manifest_links WHERE repository_id = @repositoryId AND manifest_digest = @digest
                  ON CONFLICT DO NOTHING;
                  """;
            await session.Command(move)
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .With("now", now)
                .With("expiresAt", expiresAt)
                .ExecuteAsync(cancellationToken);
            if (expiresAt is { } expires)
            {
                await BinTagsAsync(session, repositoryId, "manifest_digest", digest, now, expires, cancellationToken);
            }

            // Its tags, links and scan go with it (ON DELETE CASCADE).
            await session.Command("DELETE FROM manifests WHERE repository_id = @repositoryId AND digest = @digest;")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .ExecuteAsync(cancellationToken);
            return new ManifestRemoval(tags, blobs);
        }, cancellationToken);

    public Task<BinRestore> RestoreTagAsync(long repositoryId, string tag, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async session =>
        {
            var found = await session.Command(
                    $"SELECT manifest_digest, deleted_at, expires_at FROM deleted_tags WHERE repository_id = @repositoryId AND name = @tag {_dialect.ForUpdate};")
                .With("repositoryId", repositoryId)
                .With("tag", tag)
                .FirstAsync(r => ((string Digest, DateTimeOffset DeletedAt, DateTimeOffset ExpiresAt)?)(r.GetString(0), r.GetTime(1), r.GetTime(2)),
                    cancellationToken);
            if (found is not { } binned || binned.ExpiresAt <= now)
            {
                return new BinRestore(BinRestoreStatus.NotFound);
            }

            var live = await session.Command($"SELECT manifest_digest FROM tags WHERE repository_id = @repositoryId AND name = @tag {_dialect.ForUpdate};")
                .With("repositoryId", repositoryId)
                .With("tag", tag)
                .FirstAsync(r => r.GetString(0), cancellationToken);
            if (live is not null && live != binned.Digest)
            {
                return new BinRestore(BinRestoreStatus.TagTaken, ConflictingDigest: live);
            }

            var manifests = new List<string>();
            if (await CollectRestorableAsync(session, repositoryId, binned.Digest, now, manifests, cancellationToken) is { } missing)
            {
                return new BinRestore(BinRestoreStatus.ContentGone, MissingDigest: missing);
            }

            await RestoreManifestRowsAsync(session, repositoryId, manifests, now, cancellationToken);
            await session.Command(
                $"""
                INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (@repositoryId, @tag, @digest, @now)
                ON CONFLICT (repository_id, name) DO NOTHING;
                DELETE FROM deleted_tags WHERE repository_id = @repositoryId AND name = @tag;
                UPDATE manifests SET untagged_at = NULL WHERE repository_id = @repositoryId AND digest = @digest;
                {TouchRepository}
                """)
                .With("repositoryId", repositoryId)
                .With("tag", tag)
                .With("digest", binned.Digest)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return new BinRestore(BinRestoreStatus.Restored,
                new BinEntry(await RepositoryNameAsync(session, repositoryId, cancellationToken), tag, binned.Digest, binned.DeletedAt, binned.ExpiresAt));
        }, cancellationToken);

    public Task<BinRestore> RestoreManifestAsync(long repositoryId, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async session =>
        {
            var binned = await session.Command(
                    $"SELECT deleted_at, expires_at FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest {_dialect.ForUpdate};")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .FirstAsync(r => ((DateTimeOffset DeletedAt, DateTimeOffset ExpiresAt)?)(r.GetTime(0), r.GetTime(1)), cancellationToken);
            if (binned is not { } entry || entry.ExpiresAt <= now)
            {
                return new BinRestore(BinRestoreStatus.NotFound);
            }

            // Pushed again since it was binned, it is live already (nothing to collect): the bin entry only has to go.
            var manifests = new List<string>();
            if (await CollectRestorableAsync(session, repositoryId, digest, now, manifests, cancellationToken) is { } missing)
            {
                return new BinRestore(BinRestoreStatus.ContentGone, MissingDigest: missing);
            }

            await RestoreManifestRowsAsync(session, repositoryId, manifests, now, cancellationToken);
            await session.Command("DELETE FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest;")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .ExecuteAsync(cancellationToken);
            return new BinRestore(BinRestoreStatus.Restored,
                new BinEntry(await RepositoryNameAsync(session, repositoryId, cancellationToken), null, digest, entry.DeletedAt, entry.ExpiresAt));
        }, cancellationToken);

    public async Task<ListPage<BinEntry>> ListBinAsync(string registryId, string? repository, ListPageRequest request, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [BinDeleted], idColumn: "ref", numericId: false);
        // One row per binned tag, and per binned manifest no binned tag points at (it comes back with that tag). The
        // reference (repo:tag, repo@digest) is unique in the registry: the tiebreaker and the cursor's id.
        var statement = Command(
            $"""
            SELECT e.repository, e.tag, e.digest, e.deleted_at, e.expires_at, e.ref FROM (
                SELECT r.name AS repository, t.name AS tag, t.manifest_digest AS digest, t.deleted_at, t.expires_at, r.name || ':' || t.name AS ref
                FROM deleted_tags t JOIN repositories r ON r.id = t.repository_id
                WHERE r.registry_id = @registryId AND r.deleted_at IS NULL AND (@repository IS NULL OR r.name = @repository)
                  AND t.expires_at > @now
                UNION ALL
                SELECT r.name, NULL, m.digest, m.deleted_at, m.expires_at, r.name || '@' || m.digest
                FROM deleted_manifests m JOIN repositories r ON r.id = m.repository_id
                WHERE r.registry_id = @registryId AND r.deleted_at IS NULL AND (@repository IS NULL OR r.name = @repository)
                  AND m.expires_at > @now
                  AND NOT EXISTS (SELECT 1 FROM deleted_tags t
                                  WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest AND t.expires_at > @now)
            ) e
            WHERE {keyset.After("e.")} {keyset.Search("LOWER(e.ref)")}
            ORDER BY {keyset.OrderBy("e.")}
            LIMIT @limit;
            """)
            .With("registryId", registryId)
            .With("repository", repository)
            .With("now", now);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var entry = new BinEntry(r.GetString(0), r.GetNullableString(1), r.GetString(2), r.GetTime(3), r.GetTime(4));
            return (entry, ListCursor.Of(BinDeleted.Name, entry.DeletedAt, r.GetString(5)));
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    public async Task<IReadOnlyDictionary<string, BinCounts>> CountBinAsync(IReadOnlyCollection<string> registryIds, CancellationToken cancellationToken)
    {
        if (registryIds.Count == 0)
        {
            return new Dictionary<string, BinCounts>(StringComparer.Ordinal);
        }

        // Bytes: the registry's blobs a binned manifest refers to and no live manifest does, found from the binned
        // links (not by scanning the registry's blobs), each blob once.
        var rows = await Command(
            $"""
            SELECT g.id,
                   (SELECT COUNT(*) FROM deleted_tags t JOIN repositories r ON r.id = t.repository_id
                     WHERE r.registry_id = g.id AND r.deleted_at IS NULL),
                   (SELECT COUNT(*) FROM deleted_manifests m JOIN repositories r ON r.id = m.repository_id
                     WHERE r.registry_id = g.id AND r.deleted_at IS NULL),
                   (SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint) FROM blobs b
                     WHERE b.registry_id = g.id
                       AND b.digest IN (SELECT d.child_digest FROM deleted_manifest_links d JOIN repositories r ON r.id = d.repository_id
                                        WHERE r.registry_id = g.id AND NOT d.is_manifest)
                       AND NOT EXISTS (SELECT 1 FROM repository_blobs rb
                                       JOIN manifest_links l ON l.repository_id = rb.repository_id AND l.child_digest = rb.digest
                                       WHERE rb.registry_id = b.registry_id AND rb.digest = b.digest))
            FROM registries g
            WHERE {_dialect.InList("g.id", "ids")};
            """)
            .WithList("ids", registryIds)
            .ListAsync(r => (Id: r.GetString(0), Counts: new BinCounts(checked((int)r.GetInt64(1)), checked((int)r.GetInt64(2)), r.GetInt64(3))), cancellationToken);
        return rows.Where(r => r.Counts != BinCounts.Empty).ToDictionary(r => r.Id, r => r.Counts, StringComparer.Ordinal);
    }

    public Task<BinPurge> PurgeExpiredBinAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        PurgeWriteAsync(async session =>
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
            var tags = await session.Command(
                """
                DELETE FROM deleted_tags WHERE (repository_id, name) IN
                    (SELECT repository_id, name FROM deleted_tags WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit);
                """)
                .With("now", now)
                .With("limit", limit)
                .ExecuteAsync(cancellationToken);

            var expired = await session.Command(
                """
                SELECT r.registry_id, m.repository_id, m.digest FROM deleted_manifests m JOIN repositories r ON r.id = m.repository_id
                WHERE m.expires_at <= @now ORDER BY m.expires_at LIMIT @limit;
                """)
                .With("now", now)
                .With("limit", limit)
                .ListAsync(r => (RegistryId: r.GetString(0), RepositoryId: r.GetInt64(1), Digest: r.GetString(2)), cancellationToken);
            var purged = new List<PurgedManifest>(expired.Count);
            foreach (var manifest in expired)
            {
                var blobs = await session.Command(
                        "SELECT child_digest FROM deleted_manifest_links WHERE repository_id = @repositoryId AND manifest_digest = @digest AND NOT is_manifest;")
                    .With("repositoryId", manifest.RepositoryId)
                    .With("digest", manifest.Digest)
                    .ListAsync(r => r.GetString(0), cancellationToken);
                // Another node may have purged (or a user restored) it since the listing: only what this delete took counts.
                if (await session.Command("DELETE FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest AND expires_at <= @now;")
                        .With("repositoryId", manifest.RepositoryId)
                        .With("digest", manifest.Digest)
                        .With("now", now)
                        .ExecuteAsync(cancellationToken) > 0)
                {
                    purged.Add(new PurgedManifest(manifest.RegistryId, manifest.RepositoryId, manifest.Digest, blobs));
                }
            }

            return new BinPurge(tags, purged);
        }, cancellationToken);

    /// <summary>
    /// Bins the repository's tags whose <paramref name="column"/> (name or manifest_digest, never input) is
    /// <paramref name="value"/>; a name binned before is replaced.
    /// </summary>
    private static async Task BinTagsAsync(SqlSession session, long repositoryId, string column, string value, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken cancellationToken) =>
        await session.Command(
            $"""
            INSERT INTO deleted_tags (repository_id, name, manifest_digest, deleted_at, expires_at)
            SELECT repository_id, name, manifest_digest, @now, @expiresAt FROM tags WHERE repository_id = @repositoryId AND {column} = @value
            ON CONFLICT (repository_id, name) DO UPDATE
                SET manifest_digest = excluded.manifest_digest, deleted_at = excluded.deleted_at, expires_at = excluded.expires_at;
            """)
            .With("repositoryId", repositoryId)
            .With("value", value)
            .With("now", now)
            .With("expiresAt", expiresAt)
            .ExecuteAsync(cancellationToken);

    private static Task<bool> PulledSinceAsync(SqlSession session, long repositoryId, string digest, DateTimeOffset since, CancellationToken cancellationToken) =>
        session.Command(
                "SELECT TRUE FROM pull_counts WHERE repository_id = @repositoryId AND manifest_digest = @digest AND last_pulled_at >= @since LIMIT 1;")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .With("since", since)
            .FirstAsync(r => r.GetBoolean(0), cancellationToken);

    /// <summary>
    /// Adds to <paramref name="binned"/> the manifests restoring <paramref name="digest"/> takes: itself unless live, and
    /// an index's children that are binned. Null when all of it can come back (unexpired, children and blobs still
    /// held); otherwise the first digest that is gone. Each binned row is locked against a concurrent purge.
    /// </summary>
    private async Task<string?> CollectRestorableAsync(SqlSession session, long repositoryId, string digest, DateTimeOffset now, List<string> binned,
        CancellationToken cancellationToken)
    {
        if (binned.Contains(digest) || await session.Command("SELECT TRUE FROM manifests WHERE repository_id = @repositoryId AND digest = @digest;")
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .FirstAsync(r => r.GetBoolean(0), cancellationToken))
        {
            return null;
        }

        var expires = await session.Command($"SELECT expires_at FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest {_dialect.ForUpdate};")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .FirstAsync(r => (DateTimeOffset?)r.GetTime(0), cancellationToken);
        if (expires is null || expires <= now)
        {
            return digest;
        }

        binned.Add(digest);
        var children = await session.Command(
                $"""
                SELECT d.child_digest, d.is_manifest FROM deleted_manifest_links d
                WHERE d.repository_id = @repositoryId AND d.manifest_digest = @digest
                  AND (d.is_manifest OR NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = d.repository_id AND rb.digest = d.child_digest))
                ORDER BY d.child_digest;
                """)
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .ListAsync(r => (Digest: r.GetString(0), IsManifest: r.GetBoolean(1)), cancellationToken);
        foreach (var child in children)
        {
            // A blob listed here is one no longer linked (the query's second half): the manifest can't come back whole.
            if (!child.IsManifest || await CollectRestorableAsync(session, repositoryId, child.Digest, now, binned, cancellationToken) is not null)
            {
                return child.Digest;
            }
        }

        return null;
    }

    /// <summary>Moves binned manifests back (rows and links), untagged as of <paramref name="now"/>, and drops their bin entries.</summary>
    private async Task RestoreManifestRowsAsync(SqlSession session, long repositoryId, IReadOnlyList<string> digests, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        foreach (var digest in digests)
        {
            await session.Command(
                $"""
                INSERT INTO manifests ({ManifestRowColumns}, untagged_at)
                SELECT {ManifestRowColumns}, @now FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest;
                INSERT INTO manifest_links ({LinkColumns})
                SELECT {LinkColumns} FROM deleted_manifest_links WHERE repository_id = @repositoryId AND manifest_digest = @digest;
                DELETE FROM deleted_manifests WHERE repository_id = @repositoryId AND digest = @digest;
                {TouchRepository}
                """)
                .With("repositoryId", repositoryId)
                .With("digest", digest)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
        }
    }

    private static async Task<string> RepositoryNameAsync(SqlSession session, long repositoryId, CancellationToken cancellationToken) =>
        await session.Command("SELECT name FROM repositories WHERE id = @repositoryId;")
            .With("repositoryId", repositoryId)
            .FirstAsync(r => r.GetString(0), cancellationToken) ?? "";
}
