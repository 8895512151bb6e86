using System.Data.Common;
using System.Runtime.CompilerServices;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    // The scans table's status values (ScanStatus), as literals in the SQL so the partial index applies.
    private const int ScanQueued = (int)ScanStatus.Queued;
    private const int ScanRunning = (int)ScanStatus.Running;
    private const int ScanDone = (int)ScanStatus.Done;
    private const int ScanFailed = (int)ScanStatus.Failed;

    // Advisories written per statement in an import: four parameters each, far below any provider's limit.
    private const int AdvisoryChunk = 500;

    // Findings written per statement when a scan lands: two parameters each.
    private const int FindingChunk = 500;

    // How many tag names each most affected image carries (its tag count says how many there are).
    private const int AffectedImageTags = 5;

    // Rows with a severity column (ScanSeverity) counted by level, worst first, as ReadCounts reads them.
    private const string SeverityCounts =
        "COUNT(CASE WHEN severity = 4 THEN 1 END) AS critical, COUNT(CASE WHEN severity = 3 THEN 1 END) AS high, " +
        "COUNT(CASE WHEN severity = 2 THEN 1 END) AS medium, COUNT(CASE WHEN severity = 1 THEN 1 END) AS low, " +
        "COUNT(CASE WHEN severity = 0 THEN 1 END) AS unknown";

    // The scanned images of a registry's live repositories as "units": an image listed by an index of its repository
    // belongs to that index (to each, if several list it); any other scanned image stands alone. not_checked marks
    // an image scanned, done, against the empty advisory database.
    private static readonly string RegistryImageUnits =
        $"""
        WITH units AS (
            SELECT s.repository_id, COALESCE(l.manifest_digest, s.manifest_digest) AS unit_digest, s.manifest_digest AS image_digest,
                   CASE WHEN s.status = {ScanDone} AND s.advisory_version = {ScanRecord.NoAdvisoryData} THEN 1 ELSE 0 END AS not_checked
            FROM repositories r
            JOIN scans s ON s.repository_id = r.id
            LEFT JOIN manifest_links l ON l.repository_id = s.repository_id AND l.child_digest = s.manifest_digest AND l.is_manifest = @isManifest
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL
        )
        """;

    // Everything but the report, which only GetScanAsync reads.
    private const string ScanColumns =
        "repository_id, manifest_digest, status, reason, queued_at, started_at, finished_at, advisory_version, critical, high, medium, low, unknown";

    // ---- advisories

    public async Task<AdvisoryUpsertResult> UpsertAdvisoriesAsync(IReadOnlyList<AdvisoryDocument> advisories, DateTimeOffset importedAt, CancellationToken cancellationToken)
    {
        // Rows in id order, so that concurrent imports of overlapping batches lock them in the same order rather than
        // deadlock.
        var batch = LatestById(advisories).OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        if (batch.Count == 0)
        {
            return new AdvisoryUpsertResult(0, 0, 0);
        }

        // One transaction, a few statements per chunk of documents. An identical document is not written at all
        // (compared in SQL, so the stored JSON is never read out), which is what makes it unchanged; of those written,
        // the ones whose id was there before are updated.
        return await WriteAsync(async connection =>
        {
            int added = 0, updated = 0;
            foreach (var chunk in batch.Chunk(AdvisoryChunk))
            {
                var existing = (await connection.Command($"SELECT id FROM advisories WHERE {_dialect.InList("id", "ids")};")
                    .WithList("ids", chunk.Select(a => a.Id).ToList())
                    .ListAsync(r => r.GetString(0), cancellationToken)).ToHashSet(StringComparer.Ordinal);
                var rows = string.Join(", ", chunk.Select((_, i) => $"(@id{i}, @source{i}, @modified{i}, @json{i}, @importedAt)"));
                var upsert = connection.Command(
                    $"""
                    INSERT INTO advisories (id, source, modified, json, imported_at) VALUES {rows}
                    ON CONFLICT (id) DO UPDATE
                    SET source = excluded.source, modified = excluded.modified, json = excluded.json, imported_at = excluded.imported_at
                    WHERE advisories.json IS DISTINCT FROM excluded.json
                    RETURNING id;
                    """)
                    .With("importedAt", importedAt);
                for (var i = 0; i < chunk.Length; i++)
                {
                    upsert.With($"id{i}", chunk[i].Id)
                        .With($"source{i}", chunk[i].Source)
                        .With($"modified{i}", chunk[i].Modified)
                        .With($"json{i}", chunk[i].Json);
                }

                foreach (var id in await upsert.ListAsync(r => r.GetString(0), cancellationToken))
                {
                    if (existing.Contains(id))
                    {
                        updated++;
                    }
                    else
                    {
                        added++;
                    }
                }
            }

            return new AdvisoryUpsertResult(added, updated, batch.Count - added - updated);
        }, cancellationToken);
    }

    public Task<long> BumpAdvisoryVersionAsync(CancellationToken cancellationToken) =>
        // The row lock serialises concurrent bumps from any node: each reads back its own number.
        WriteCommand("UPDATE advisory_database SET version = version + 1 RETURNING version;")
            .FirstAsync(r => r.GetInt64(0), cancellationToken);

    public Task<long> GetAdvisoryVersionAsync(CancellationToken cancellationToken) =>
        Command("SELECT version FROM advisory_database;")
            .FirstAsync(r => r.GetInt64(0), cancellationToken);

    public async Task<AdvisoryDatabaseStatus> GetAdvisoryStatusAsync(CancellationToken cancellationToken)
    {
        // One statement, so the version and the sources come from the same snapshot. The left join keeps the version
        // row when there are no advisories at all.
        var rows = await Command(
            """
            SELECT d.version, s.source, s.count, s.last_imported_at, s.newest_modified
            FROM advisory_database d
            LEFT JOIN (SELECT source, COUNT(*) AS count, MAX(imported_at) AS last_imported_at, MAX(modified) AS newest_modified
                       FROM advisories GROUP BY source) s ON true
            ORDER BY s.source;
            """)
            .ListAsync(r => (Version: r.GetInt64(0), Source: r.IsDBNull(1)
                ? null
                : new AdvisorySourceStatus(r.GetString(1), r.GetInt64(2), r.GetTime(3), r.GetNullableTime(4))), cancellationToken);
        var sources = rows.Where(r => r.Source is not null).Select(r => r.Source!).ToList();
        return new AdvisoryDatabaseStatus(
            rows[0].Version, sources.Sum(s => s.AdvisoryCount), sources.Count == 0 ? null : sources.Max(s => s.LastImportedAt), sources);
    }

    public async IAsyncEnumerable<string> ReadAdvisoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One statement, so one snapshot: an import can commit meanwhile without disturbing the read.
        await foreach (var json in Command("SELECT json FROM advisories;").StreamAsync(r => r.GetString(0), cancellationToken))
        {
            yield return json;

            // Npgsql answers ReadAsync from its buffer without looking at the token: a consumer that stops the
            // read would otherwise still be handed what is buffered.
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // ---- scans

    public Task<bool> QueueScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // No scan of a manifest that does not exist; the manifest row is held until the commit, so a delete
            // can't pass in between. A finished scan is queued again with the results of its last run kept; a queued
            // or running one is left as it is.
            if (!await LockManifestAsync(connection, repositoryId, manifestDigest, cancellationToken))
            {
                return false;
            }

            await connection.Command(
                $"""
                INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
                VALUES (@repositoryId, @digest, {ScanQueued}, @now)
                ON CONFLICT (repository_id, manifest_digest) DO UPDATE SET status = {ScanQueued}, queued_at = excluded.queued_at
                WHERE scans.status IN ({ScanDone}, {ScanFailed});
                """)
                .With("repositoryId", repositoryId)
                .With("digest", manifestDigest)
                .With("now", now)
                .ExecuteAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task<bool> QueueNewScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
            await LockManifestAsync(connection, repositoryId, manifestDigest, cancellationToken)
            && await connection.Command(
                $"""
                INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
                VALUES (@repositoryId, @digest, {ScanQueued}, @now)
                ON CONFLICT (repository_id, manifest_digest) DO NOTHING;
                """)
                .With("repositoryId", repositoryId)
                .With("digest", manifestDigest)
                .With("now", now)
                .ExecuteAsync(cancellationToken) > 0,
            cancellationToken);

    public async Task<int> QueueOutdatedScansAsync(long advisoryVersion, DateTimeOffset now, CancellationToken cancellationToken) =>
        // A scan that recorded no advisory version (one that failed before matching) is not "older" than any.
        await WriteCommand(
            $"""
            UPDATE scans SET status = {ScanQueued}, queued_at = @now
            WHERE status IN ({ScanDone}, {ScanFailed}) AND advisory_version < @version;
            """)
            .With("version", advisoryVersion)
            .With("now", now)
            .ExecuteAsync(cancellationToken);

    public Task<ScanClaim?> ClaimScanAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken) =>
        WriteAsync<ScanClaim?>(async connection =>
        {
            // The pick locks the scan it takes until the claim commits, skipping those another node is claiming right
            // now; a scan claimed and committed meanwhile is re-checked against the condition and passed over, so two
            // nodes never get the same one. "status IN (...)" spelled out lets the partial index apply.
            var next = await connection.Command(
                $"""
                SELECT s.repository_id, s.manifest_digest, r.registry_id, r.name
                FROM scans s JOIN repositories r ON r.id = s.repository_id
                WHERE (s.repository_id, s.manifest_digest) = (
                    SELECT repository_id, manifest_digest FROM scans
                    WHERE status IN ({ScanQueued}, {ScanRunning}) AND (status = {ScanQueued} OR claimed_at < @staleBefore)
                    ORDER BY queued_at
                    LIMIT 1
                    {_dialect.ForUpdateSkipLocked});
                """)
                .With("staleBefore", staleBefore)
                .FirstAsync(r => (RepositoryId: r.GetInt64(0), Digest: r.GetString(1), RegistryId: r.GetString(2), Repository: r.GetString(3)), cancellationToken);
            if (next.Digest is null)
            {
                return null;
            }

            var claimId = Guid.NewGuid().ToString("N");
            return await connection.Command(
                $"""
                UPDATE scans SET status = {ScanRunning}, claim_id = @claimId, claimed_at = @now, started_at = @now
                WHERE repository_id = @repositoryId AND manifest_digest = @digest
                RETURNING claimed_at;
                """)
                .With("repositoryId", next.RepositoryId)
                .With("digest", next.Digest)
                .With("claimId", claimId)
                .With("now", now)
                .FirstAsync(r => new ScanClaim(claimId, next.RegistryId, next.RepositoryId, next.Repository, next.Digest, r.GetTime(0)), cancellationToken);
        }, cancellationToken);

    public Task<bool> CompleteScanAsync(ScanClaim claim, ScanOutcome outcome, CancellationToken cancellationToken)
    {
        ValidateOutcome(outcome);
        if (outcome.Status == ScanStatus.Queued)
        {
            // Handed back unfinished: queued again as it was, with its previous report, for the next claim.
            return ReleaseClaimAsync(claim, cancellationToken);
        }

        return WriteAsync(async connection =>
        {
            // The share lock waits for a bump in flight and holds off the next until this commits: a bump either
            // lands first (its version is read here and the scan is stored queued) or after, and then the
            // QueueOutdatedScansAsync that follows it sees this scan done and queues it again.
            var current = await connection.Command($"SELECT version FROM advisory_database {_dialect.ForShare};")
                .FirstAsync(r => r.GetInt64(0), cancellationToken);
            var requeue = outcome.Status == ScanStatus.Done && outcome.AdvisoryVersion < current;
            var recorded = await connection.Command(
                $"""
                UPDATE scans
                SET status = @status, queued_at = COALESCE(@requeuedAt, queued_at), reason = @reason, finished_at = @finishedAt,
                    advisory_version = @advisoryVersion, critical = @critical, high = @high, medium = @medium, low = @low,
                    unknown = @unknown, report_json = @report, claim_id = NULL, claimed_at = NULL
                WHERE repository_id = @repositoryId AND manifest_digest = @digest AND status = {ScanRunning} AND claim_id = @claimId;
                """)
                .With("repositoryId", claim.RepositoryId)
                .With("digest", claim.ManifestDigest)
                .With("claimId", claim.ClaimId)
                .With("status", (int)(requeue ? ScanStatus.Queued : outcome.Status))
                .With<DateTimeOffset?>("requeuedAt", requeue ? outcome.FinishedAt : null)
                .With("reason", outcome.Reason)
                .With("finishedAt", outcome.FinishedAt)
                .With("advisoryVersion", outcome.AdvisoryVersion)
                .With("critical", outcome.Summary?.Critical)
                .With("high", outcome.Summary?.High)
                .With("medium", outcome.Summary?.Medium)
                .With("low", outcome.Summary?.Low)
                .With("unknown", outcome.Summary?.Unknown)
                .With("report", outcome.ReportJson)
                .ExecuteAsync(cancellationToken) > 0;
            if (recorded)
            {
                await ReplaceFindingsAsync(connection, claim, outcome.Status == ScanStatus.Done ? outcome.Findings ?? [] : [], cancellationToken);
            }

            return recorded;
        }, cancellationToken);
    }

    public Task<ScanRecord?> GetScanAsync(long repositoryId, string manifestDigest, CancellationToken cancellationToken) =>
        Command($"SELECT {ScanColumns}, report_json FROM scans WHERE repository_id = @repositoryId AND manifest_digest = @digest;")
            .With("repositoryId", repositoryId)
            .With("digest", manifestDigest)
            .FirstAsync(r => ReadScan(r) with { ReportJson = r.GetNullableString(13) }, cancellationToken);

    public async Task<IReadOnlyList<ScanRecord>> ListScansAsync(long repositoryId, CancellationToken cancellationToken) =>
        await Command($"SELECT {ScanColumns} FROM scans WHERE repository_id = @repositoryId ORDER BY manifest_digest;")
            .With("repositoryId", repositoryId)
            .ListAsync(ReadScan, cancellationToken);

    public async Task<IReadOnlyDictionary<string, ScanSummary>> GetIndexSummariesAsync(
        long repositoryId, IReadOnlyCollection<string> indexDigests, CancellationToken cancellationToken)
    {
        if (indexDigests.Count == 0)
        {
            return new Dictionary<string, ScanSummary>(StringComparer.Ordinal);
        }

        // An index is listed once one of its platforms has a report (summary columns set), findings or not.
        var rows = await Command(
            $"""
            WITH children AS (
                SELECT manifest_digest AS index_digest, child_digest FROM manifest_links
                WHERE repository_id = @repositoryId AND {_dialect.InList("manifest_digest", "digests")} AND is_manifest = @isManifest
            ),
            reported AS (
                SELECT DISTINCT c.index_digest FROM children c
                JOIN scans s ON s.repository_id = @repositoryId AND s.manifest_digest = c.child_digest
                WHERE s.critical IS NOT NULL
            ),
            advisories AS (
                SELECT c.index_digest, f.advisory_id, MAX(f.severity) AS severity FROM children c
                JOIN scan_findings f ON f.repository_id = @repositoryId AND f.manifest_digest = c.child_digest
                GROUP BY c.index_digest, f.advisory_id
            )
            SELECT r.index_digest, {SeverityCounts}
            FROM reported r LEFT JOIN advisories a ON a.index_digest = r.index_digest
            GROUP BY r.index_digest;
            """)
            .With("repositoryId", repositoryId)
            .WithList("digests", indexDigests)
            .With("isManifest", true)
            .ListAsync(r => (Digest: r.GetString(0), Summary: ReadCounts(r, 1)), cancellationToken);
        return rows.ToDictionary(r => r.Digest, r => r.Summary, StringComparer.Ordinal);
    }

    public async Task<RegistryVulnerabilities> GetRegistryVulnerabilitiesAsync(string registryId, int top, CancellationToken cancellationToken)
    {
        await using var session = await ReadAsync(cancellationToken);
        var (images, notChecked) = await session.Command(
            $"""
            {RegistryImageUnits}
            SELECT COUNT(*), COALESCE(SUM(not_checked), 0)
            FROM (SELECT MAX(not_checked) AS not_checked FROM units GROUP BY repository_id, unit_digest) u;
            """)
            .With("registryId", registryId)
            .With("isManifest", true)
            .FirstAsync(r => ((int)r.GetInt64(0), (int)r.GetInt64(1)), cancellationToken);
        if (images == 0)
        {
            return new RegistryVulnerabilities(0, 0, ScanSummary.Empty, []);
        }

        // Each advisory once over the whole registry, at its worst severity anywhere in it.
        var summary = await session.Command(
            $"""
            SELECT {SeverityCounts} FROM (
                SELECT f.advisory_id, MAX(f.severity) AS severity
                FROM repositories r JOIN scan_findings f ON f.repository_id = r.id
                WHERE r.registry_id = @registryId AND r.deleted_at IS NULL
                GROUP BY f.advisory_id) a;
            """)
            .With("registryId", registryId)
            .FirstAsync(r => ReadCounts(r, 0), cancellationToken);

        // The images with the most findings, most severe first: an image by its scan's counts (each advisory once
        // already), an index over its platforms' findings; then up to a few of their tags (one row per tag; an image
        // may have very many) and how many there are.
        var rows = await session.Command(
            $"""
            {RegistryImageUnits},
            index_advisories AS (
                SELECT u.repository_id, u.unit_digest, f.advisory_id, MAX(f.severity) AS severity
                FROM units u JOIN scan_findings f ON f.repository_id = u.repository_id AND f.manifest_digest = u.image_digest
                WHERE u.unit_digest <> u.image_digest
                GROUP BY u.repository_id, u.unit_digest, f.advisory_id
            ),
            counted AS (
                SELECT repository_id, unit_digest, {SeverityCounts} FROM index_advisories GROUP BY repository_id, unit_digest
                UNION ALL
                SELECT s.repository_id, s.manifest_digest, s.critical, s.high, s.medium, s.low, s.unknown
                FROM units u JOIN scans s ON s.repository_id = u.repository_id AND s.manifest_digest = u.image_digest
                WHERE u.unit_digest = u.image_digest AND s.critical + s.high + s.medium + s.low + s.unknown > 0
            ),
            ranked AS (
                SELECT c.repository_id, r.name AS repository, c.unit_digest, c.critical, c.high, c.medium, c.low, c.unknown
                FROM counted c JOIN repositories r ON r.id = c.repository_id
                ORDER BY c.critical DESC, c.high DESC, c.medium DESC, c.low DESC, c.unknown DESC, repository, c.unit_digest
                LIMIT @top
            )
            SELECT repository, unit_digest, critical, high, medium, low, unknown, tag, tag_count FROM (
                SELECT k.repository, k.unit_digest, k.critical, k.high, k.medium, k.low, k.unknown, t.name AS tag,
                       ROW_NUMBER() OVER (PARTITION BY k.repository_id, k.unit_digest ORDER BY t.name) AS n,
                       COUNT(t.name) OVER (PARTITION BY k.repository_id, k.unit_digest) AS tag_count
                FROM ranked k LEFT JOIN tags t ON t.repository_id = k.repository_id AND t.manifest_digest = k.unit_digest
            ) x
            WHERE n <= {AffectedImageTags}
            ORDER BY critical DESC, high DESC, medium DESC, low DESC, unknown DESC, repository, unit_digest, tag;
            """)
            .With("registryId", registryId)
            .With("isManifest", true)
            .With("top", top)
            .ListAsync(r => (Repository: r.GetString(0), Digest: r.GetString(1), Summary: ReadCounts(r, 2),
                Tag: r.GetNullableString(7), TagCount: (int)r.GetInt64(8)), cancellationToken);
        var affected = rows
            .GroupBy(r => (r.Repository, r.Digest))
            .Select(g => new AffectedImage(g.Key.Repository, g.Key.Digest, [.. g.Select(r => r.Tag).OfType<string>()], g.First().TagCount, g.First().Summary))
            .ToList();
        return new RegistryVulnerabilities(images, notChecked, summary ?? ScanSummary.Empty, affected);
    }

    /// <summary>Replaces the scan's findings with <paramref name="findings"/>, one row per advisory at its worst severity.</summary>
    private static async Task ReplaceFindingsAsync(SqlSession connection, ScanClaim claim, IReadOnlyList<ScanFinding> findings, CancellationToken cancellationToken)
    {
        await connection.Command("DELETE FROM scan_findings WHERE repository_id = @repositoryId AND manifest_digest = @digest;")
            .With("repositoryId", claim.RepositoryId)
            .With("digest", claim.ManifestDigest)
            .ExecuteAsync(cancellationToken);
        var distinct = findings.GroupBy(f => f.AdvisoryId, StringComparer.Ordinal).Select(g => g.MaxBy(f => f.Severity)!).ToList();
        foreach (var chunk in distinct.Chunk(FindingChunk))
        {
            var rows = string.Join(", ", chunk.Select((_, i) => $"(@repositoryId, @digest, @advisory{i}, @severity{i})"));
            var insert = connection.Command($"INSERT INTO scan_findings (repository_id, manifest_digest, advisory_id, severity) VALUES {rows};")
                .With("repositoryId", claim.RepositoryId)
                .With("digest", claim.ManifestDigest);
            for (var i = 0; i < chunk.Length; i++)
            {
                insert.With($"advisory{i}", chunk[i].AdvisoryId).With($"severity{i}", (int)chunk[i].Severity);
            }

            await insert.ExecuteAsync(cancellationToken);
        }
    }

    /// <summary>The five counts of <see cref="SeverityCounts"/>, from column <paramref name="first"/> on.</summary>
    private static ScanSummary ReadCounts(DbDataReader r, int first) =>
        new((int)r.GetInt64(first), (int)r.GetInt64(first + 1), (int)r.GetInt64(first + 2), (int)r.GetInt64(first + 3), (int)r.GetInt64(first + 4));

    /// <summary>
    /// The batch with one document per id, the last one where an id repeats (as if applied in order): an upsert
    /// cannot touch a row twice, and the counts are per advisory.
    /// </summary>
    private static Dictionary<string, AdvisoryDocument>.ValueCollection LatestById(IReadOnlyList<AdvisoryDocument> advisories)
    {
        var latest = new Dictionary<string, AdvisoryDocument>(advisories.Count, StringComparer.Ordinal);
        foreach (var advisory in advisories)
        {
            latest[advisory.Id] = advisory;
        }

        return latest.Values;
    }

    private async Task<bool> ReleaseClaimAsync(ScanClaim claim, CancellationToken cancellationToken) =>
        await WriteCommand(
            $"""
            UPDATE scans SET status = {ScanQueued}, claim_id = NULL, claimed_at = NULL
            WHERE repository_id = @repositoryId AND manifest_digest = @digest AND status = {ScanRunning} AND claim_id = @claimId;
            """)
            .With("repositoryId", claim.RepositoryId)
            .With("digest", claim.ManifestDigest)
            .With("claimId", claim.ClaimId)
            .ExecuteAsync(cancellationToken) > 0;

    private static void ValidateOutcome(ScanOutcome outcome)
    {
        if (outcome.Status is not (ScanStatus.Done or ScanStatus.Failed or ScanStatus.Queued))
        {
            throw new ArgumentException($"a scan ends done or failed, or is handed back queued; not {outcome.Status}", nameof(outcome));
        }
    }

    private static ScanRecord ReadScan(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), (ScanStatus)r.GetInt32(2), r.GetNullableString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.IsDBNull(7) ? null : r.GetInt64(7),
            r.IsDBNull(8) ? null : new ScanSummary(r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)),
            null);
}
