using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

// How manifests of a repository hang together (index children, referrers), for safe deletes and nested listings.
public abstract partial class SqlMetadataStore
{
    public async Task<IReadOnlyList<ReferencingIndex>> ListReferencingIndexesAsync(long repositoryId, string digest, CancellationToken cancellationToken)
    {
        // manifest_links_child finds the indexes, tags_manifest their tags: one row per (index, tag), grouped here.
        var rows = await Command(
            """
            SELECT ml.manifest_digest, t.name
            FROM manifest_links ml
            LEFT JOIN tags t ON t.repository_id = ml.repository_id AND t.manifest_digest = ml.manifest_digest
            WHERE ml.repository_id = @repositoryId AND ml.child_digest = @digest AND ml.is_manifest
            ORDER BY ml.manifest_digest, t.name;
            """)
            .With("repositoryId", repositoryId)
            .With("digest", digest)
            .ListAsync(r => (Index: r.GetString(0), Tag: r.GetNullableString(1)), cancellationToken);
        return rows
            .GroupBy(row => row.Index, StringComparer.Ordinal)
            .Select(g => new ReferencingIndex(g.Key, g.Select(row => row.Tag).OfType<string>().ToList()))
            .ToList();
    }

    public async Task<IReadOnlyList<DependentManifest>> ListDependentsAsync(long repositoryId, IReadOnlyCollection<string> parentDigests,
        CancellationToken cancellationToken)
    {
        if (parentDigests.Count == 0)
        {
            return [];
        }

        // Four index lookups per parent, no scan: children by manifest_links' primary key, referrers by manifests_subject,
        // then the referrers of those children and of those referrers. Parent digest and kind first, the manifest after.
        const int Child = (int)DependentKind.Child;
        const int Referrer = (int)DependentKind.Referrer;
        return await Command(
            $"""
            SELECT ml.manifest_digest, {Child}, {ManifestColumns}
            FROM manifest_links ml JOIN manifests m ON m.repository_id = ml.repository_id AND m.digest = ml.child_digest
            WHERE ml.repository_id = @repositoryId AND ml.is_manifest AND {_dialect.InList("ml.manifest_digest", "parents")}
            UNION ALL
            SELECT m.subject_digest, {Referrer}, {ManifestColumns}
            FROM manifests m
            WHERE m.repository_id = @repositoryId AND {_dialect.InList("m.subject_digest", "parents")}
            UNION ALL
            SELECT m.subject_digest, {Referrer}, {ManifestColumns}
            FROM manifest_links ml JOIN manifests m ON m.repository_id = ml.repository_id AND m.subject_digest = ml.child_digest
            WHERE ml.repository_id = @repositoryId AND ml.is_manifest AND {_dialect.InList("ml.manifest_digest", "parents")}
            UNION ALL
            SELECT m.subject_digest, {Referrer}, {ManifestColumns}
            FROM manifests s JOIN manifests m ON m.repository_id = s.repository_id AND m.subject_digest = s.digest
            WHERE s.repository_id = @repositoryId AND {_dialect.InList("s.subject_digest", "parents")};
            """)
            .With("repositoryId", repositoryId)
            .WithList("parents", parentDigests)
            .ListAsync(r => new DependentManifest(r.GetString(0), (DependentKind)r.GetInt32(1), ReadManifest(r, 2)), cancellationToken);
    }

    public async Task<long> GetRepositoryExclusiveBytesAsync(long repositoryId, CancellationToken cancellationToken) =>
        // The repository's links by primary key; "linked elsewhere?" by repository_blobs_registry_digest.
        await Command(
            """
            SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint)
            FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
            WHERE rb.repository_id = @repositoryId
              AND NOT EXISTS (SELECT 1 FROM repository_blobs o
                              WHERE o.registry_id = rb.registry_id AND o.digest = rb.digest AND o.repository_id <> rb.repository_id);
            """)
            .With("repositoryId", repositoryId)
            .FirstAsync(r => r.GetInt64(0), cancellationToken);
}
