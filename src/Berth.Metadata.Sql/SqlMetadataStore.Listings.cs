using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

/// <summary>
/// The paged and bounded reads of the management listings: each page is one index range scan of its size (plus, for
/// a search, a scan of the repository's tag names), and what a page shows besides is read for that page's digests
/// only, never for the whole repository.
/// </summary>
public abstract partial class SqlMetadataStore
{
    private static readonly PagingKey ArtifactPushed = new(ListSort.PushedKey, "created_at", IsTime: true, Unique: false);
    private static readonly PagingKey TagName = new(ListSort.NameKey, "name", IsTime: false, Unique: true);
    private static readonly PagingKey TagUpdated = new(ListSort.UpdatedKey, "updated_at", IsTime: true, Unique: false);

    public async Task<ListPage<ArtifactRecord>> ListArtifactPageAsync(long repositoryId, ListPageRequest request, CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [ArtifactPushed], idColumn: "digest", numericId: false);

        // Both orders follow manifests_created forwards or backwards, skipping what hangs under another manifest of the
        // repository (manifest_links_child, manifests' primary key): ListDependentsAsync lists those under their parent.
        // The tags are aggregated per manifest (tags_manifest); a search keeps the manifests that have a matching tag.
        var statement = Command(
            $"""
            SELECT {ManifestColumns},
                   (SELECT {_dialect.CommaList("t.name")} FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
            FROM manifests m
            WHERE m.repository_id = @repositoryId AND {keyset.After("m.")}
              AND NOT EXISTS (SELECT 1 FROM manifest_links ml WHERE ml.repository_id = m.repository_id AND ml.child_digest = m.digest AND ml.is_manifest)
              AND NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repository_id = m.repository_id AND s.digest = m.subject_digest)
              {(string.IsNullOrEmpty(request.Search) ? "" : @"AND m.digest IN (SELECT t.manifest_digest FROM tags t WHERE t.repository_id = @repositoryId AND lower(t.name) LIKE @search ESCAPE '\')")}
            ORDER BY {keyset.OrderBy("m.")}
            LIMIT @limit;
            """)
            .With("repositoryId", repositoryId);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var artifact = new ArtifactRecord(ReadManifest(r), SplitCommaList(r.GetNullableString(6)));
            return (artifact, ListCursor.Of(keyset.Key.Name, artifact.Manifest.CreatedAt, artifact.Manifest.Digest));
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    public async Task<ListPage<TagRecord>> ListTagPageAsync(long repositoryId, ListPageRequest request, CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [TagName, TagUpdated], idColumn: "name", numericId: false);

        // By name: the primary key; by time: tags_updated. The column's "C" collation (PostgreSQL) keeps names ordinal.
        var statement = Command(
            $"""
            SELECT name, manifest_digest, updated_at FROM tags
            WHERE repository_id = @repositoryId {keyset.Search("lower(name)")} AND {keyset.After("")}
            ORDER BY {keyset.OrderBy("")}
            LIMIT @limit;
            """)
            .With("repositoryId", repositoryId);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var tag = new TagRecord(r.GetString(0), r.GetString(1), r.GetTime(2));
            return (tag, keyset.Key == TagUpdated ? ListCursor.Of(keyset.Key.Name, tag.UpdatedAt, tag.Name) : new ListCursor(keyset.Key.Name, tag.Name, tag.Name));
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    public async Task<IReadOnlyList<TagRecord>> ListTagsOfAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        digests.Count == 0 ? [] : await Command(
            $"SELECT name, manifest_digest, updated_at FROM tags WHERE repository_id = @repositoryId AND {_dialect.InList("manifest_digest", "digests")} ORDER BY name;")
            .With("repositoryId", repositoryId)
            .WithList("digests", digests)
            .ListAsync(r => new TagRecord(r.GetString(0), r.GetString(1), r.GetTime(2)), cancellationToken);

    public async Task<IReadOnlyList<string>> ListManifestTagsAsync(long repositoryId, string digest, CancellationToken cancellationToken) =>
        await Command("SELECT name FROM tags WHERE repository_id = @repositoryId AND manifest_digest = @digest ORDER BY name;")
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .ListAsync(r => r.GetString(0), cancellationToken);

    public async Task<IReadOnlyList<ManifestRecord>> GetManifestsAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        digests.Count == 0 ? [] : await Command(
            $"SELECT {ManifestColumns} FROM manifests m WHERE m.repository_id = @repositoryId AND {_dialect.InList("m.digest", "digests")};")
            .With("repositoryId", repositoryId)
            .WithList("digests", digests)
            .ListAsync(ReadManifest, cancellationToken);

    public async Task<IReadOnlyList<IndexEntry>> ListIndexesOfAsync(long repositoryId, IReadOnlyCollection<string> childDigests, CancellationToken cancellationToken) =>
        childDigests.Count == 0 ? [] : await Command(
            $"""
            SELECT ml.child_digest, {ManifestColumns}
            FROM manifest_links ml JOIN manifests m ON m.repository_id = ml.repository_id AND m.digest = ml.manifest_digest
            WHERE ml.repository_id = @repositoryId AND {_dialect.InList("ml.child_digest", "digests")} AND ml.is_manifest
            ORDER BY ml.child_digest, m.digest;
            """)
            .With("repositoryId", repositoryId)
            .WithList("digests", childDigests)
            .ListAsync(r => new IndexEntry(r.GetString(0), ReadManifest(r, 1)), cancellationToken);

    public async Task<RegistryContentCounts> CountRegistryContentsAsync(string registryId, CancellationToken cancellationToken) =>
        (await Command(
            """
            SELECT (SELECT COUNT(*) FROM repositories r WHERE r.registry_id = @registryId AND r.deleted_at IS NULL),
                   (SELECT COUNT(*) FROM repositories r JOIN tags t ON t.repository_id = r.id
                     WHERE r.registry_id = @registryId AND r.deleted_at IS NULL),
                   (SELECT COUNT(*) FROM repositories r JOIN manifests m ON m.repository_id = r.id
                     WHERE r.registry_id = @registryId AND r.deleted_at IS NULL);
            """)
            .With("registryId", registryId)
            .FirstAsync(r => new RegistryContentCounts(checked((int)r.GetInt64(0)), checked((int)r.GetInt64(1)), checked((int)r.GetInt64(2))),
                cancellationToken))!;

    public async Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, IReadOnlyCollection<string> digests,
        CancellationToken cancellationToken) =>
        digests.Count == 0 ? [] : await Command(
            $"""
            SELECT m.digest, CAST(SUM(pc.count) AS bigint), MAX(pc.last_pulled_at)
            FROM manifests m JOIN pull_counts pc ON pc.repository_id = m.repository_id AND pc.manifest_digest = m.digest
            WHERE m.repository_id = @repositoryId AND {_dialect.InList("m.digest", "digests")}
            GROUP BY m.digest
            ORDER BY m.digest;
            """)
            .With("repositoryId", repositoryId)
            .WithList("digests", digests)
            .ListAsync(r => new ManifestPullStats(r.GetString(0), r.GetInt64(1), r.GetNullableTime(2)), cancellationToken);

    public async Task<RegistryPullSummary> GetRegistryPullSummaryAsync(string registryId, DateTimeOffset now, int top, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(top);

        // One pass over the registry's pull counts grouped by repository; the window aggregates total the groups
        // before LIMIT keeps the most recently pulled. Hour granularity, as in GetRepositoryPullStatsAsync.
        var rows = await Command(
            """
            SELECT r.name,
                   CAST(SUM(pc.count) AS bigint),
                   MAX(pc.last_pulled_at),
                   CAST(COALESCE(SUM(CASE WHEN pc.hour_start > @dayAgo THEN pc.count END), 0) AS bigint),
                   CAST(COALESCE(SUM(CASE WHEN pc.hour_start > @weekAgo THEN pc.count END), 0) AS bigint),
                   CAST(SUM(COALESCE(SUM(CASE WHEN pc.hour_start > @dayAgo THEN pc.count END), 0)) OVER () AS bigint),
                   CAST(SUM(COALESCE(SUM(CASE WHEN pc.hour_start > @weekAgo THEN pc.count END), 0)) OVER () AS bigint),
                   MAX(MAX(pc.last_pulled_at)) OVER ()
            FROM repositories r JOIN pull_counts pc ON pc.repository_id = r.id
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL
            GROUP BY r.id, r.name
            ORDER BY MAX(pc.last_pulled_at) DESC, r.name
            LIMIT @top;
            """)
            .With("registryId", registryId)
            .With("dayAgo", now.AddHours(-24))
            .With("weekAgo", now.AddDays(-7))
            .With("top", Math.Max(top, 1))
            .ListAsync(r => (
                Repository: new RepositoryPullStats(r.GetString(0), r.GetInt64(1), r.GetNullableTime(2), r.GetInt64(3), r.GetInt64(4)),
                Day: r.GetInt64(5), Week: r.GetInt64(6), Last: r.GetNullableTime(7)), cancellationToken);
        return rows.Count == 0
            ? new RegistryPullSummary(0, 0, null, [])
            : new RegistryPullSummary(rows[0].Day, rows[0].Week, rows[0].Last, rows.Take(top).Select(r => r.Repository).ToList());
    }

    public async Task<IReadOnlyList<ScanRecord>> ListScansAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        digests.Count == 0 ? [] : await Command(
            $"SELECT {ScanColumns} FROM scans WHERE repository_id = @repositoryId AND {_dialect.InList("manifest_digest", "digests")} ORDER BY manifest_digest;")
            .With("repositoryId", repositoryId)
            .WithList("digests", digests)
            .ListAsync(ReadScan, cancellationToken);

    private static string[] SplitCommaList(string? list)
    {
        if (list is null)
        {
            return [];
        }

        var items = list.Split(',');
        Array.Sort(items, StringComparer.Ordinal);
        return items;
    }
}
