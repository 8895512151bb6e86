using System.Runtime.CompilerServices;
using Berth.Core.Metadata;
using Npgsql;

namespace Berth.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    // The scans table's status values (ScanStatus), as literals in the SQL so the partial index applies.
    private const int ScanQueued = (int)ScanStatus.Queued;
    private const int ScanRunning = (int)ScanStatus.Running;
    private const int ScanDone = (int)ScanStatus.Done;
    private const int ScanFailed = (int)ScanStatus.Failed;

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

        // The whole batch is one statement (one transaction): the documents travel as arrays. The upsert returns the
        // rows it wrote, inserted ones with no xmax (no previous version); an identical document is not written at
        // all, which is what makes it unchanged.
        var (added, updated) = await Command(
            """
            WITH written AS (
                INSERT INTO advisories (id, source, modified, json, imported_at)
                SELECT b.id, b.source, b.modified, b.json, @importedAt
                FROM unnest(@ids, @sources, @modifieds, @jsons) AS b (id, source, modified, json)
                ORDER BY b.id COLLATE "C"
                ON CONFLICT (id) DO UPDATE
                SET source = excluded.source, modified = excluded.modified, json = excluded.json, imported_at = excluded.imported_at
                WHERE advisories.json IS DISTINCT FROM excluded.json
                RETURNING xmax = 0 AS inserted
            )
            SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM written;
            """)
            .With("importedAt", importedAt)
            .With("ids", batch.Select(a => a.Id).ToArray())
            .With("sources", batch.Select(a => a.Source).ToArray())
            .With("modifieds", batch.Select(a => a.Modified?.ToUniversalTime()).ToArray())
            .With("jsons", batch.Select(a => a.Json).ToArray())
            .FirstAsync(r => (checked((int)r.GetInt64(0)), checked((int)r.GetInt64(1))), cancellationToken);
        return new AdvisoryUpsertResult(added, updated, batch.Count - added - updated);
    }

    public Task<long> BumpAdvisoryVersionAsync(CancellationToken cancellationToken) =>
        // The row lock serialises concurrent bumps from any node: each reads back its own number.
        Command("UPDATE advisory_database SET version = version + 1 RETURNING version;")
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
        // One statement, so one snapshot; Npgsql hands the rows over as they arrive.
        await using var command = Command("SELECT json FROM advisories;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader.GetString(0);

            // Npgsql answers ReadAsync from its buffer without looking at the token: a consumer that stops the
            // read would otherwise still be handed what is buffered.
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // ---- scans

    public async Task<bool> QueueScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            // Inserting from the manifest row: no scan of a manifest that does not exist. A finished scan is queued
            // again with the results of its last run kept; a queued or running one is left as it is.
            return await Command(
                $"""
                WITH manifest AS (
                    SELECT repository_id, digest FROM manifests WHERE repository_id = @repositoryId AND digest = @digest
                ), queued AS (
                    INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
                    SELECT repository_id, digest, {ScanQueued}, @now FROM manifest
                    ON CONFLICT (repository_id, manifest_digest) DO UPDATE SET status = {ScanQueued}, queued_at = excluded.queued_at
                    WHERE scans.status IN ({ScanDone}, {ScanFailed})
                )
                SELECT EXISTS (SELECT 1 FROM manifest);
                """)
                .With("repositoryId", repositoryId)
                .With("digest", manifestDigest)
                .With("now", now)
                .FirstAsync(r => r.GetBoolean(0), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // The manifest was deleted after this statement's snapshot found it.
            return false;
        }
    }

    public async Task<bool> QueueNewScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await Command(
                $"""
                INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
                SELECT repository_id, digest, {ScanQueued}, @now FROM manifests WHERE repository_id = @repositoryId AND digest = @digest
                ON CONFLICT (repository_id, manifest_digest) DO NOTHING;
                """)
                .With("repositoryId", repositoryId)
                .With("digest", manifestDigest)
                .With("now", now)
                .ExecuteAsync(cancellationToken) > 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // The manifest was deleted after this statement's snapshot found it.
            return false;
        }
    }

    public async Task<int> QueueOutdatedScansAsync(long advisoryVersion, DateTimeOffset now, CancellationToken cancellationToken) =>
        // A scan that recorded no advisory version (one that failed before matching) is not "older" than any.
        await Command(
            $"""
            UPDATE scans SET status = {ScanQueued}, queued_at = @now
            WHERE status IN ({ScanDone}, {ScanFailed}) AND advisory_version < @version;
            """)
            .With("version", advisoryVersion)
            .With("now", now)
            .ExecuteAsync(cancellationToken);

    public Task<ScanClaim?> ClaimScanAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken) =>
        // One statement. The subquery locks the scan it picks, skipping those another node is claiming right now; a
        // scan claimed and committed meanwhile is re-checked against the condition on its new version and passed
        // over, so two nodes never get the same one.
        Command(
            $"""
            UPDATE scans s
            SET status = {ScanRunning}, claim_id = @claimId, claimed_at = @now, started_at = @now
            FROM repositories r
            WHERE (s.repository_id, s.manifest_digest) = (
                    SELECT repository_id, manifest_digest FROM scans
                    WHERE status IN ({ScanQueued}, {ScanRunning}) AND (status = {ScanQueued} OR claimed_at < @staleBefore)
                    ORDER BY queued_at
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
              AND r.id = s.repository_id
            RETURNING s.claim_id, r.registry_id, s.repository_id, r.name, s.manifest_digest, s.claimed_at;
            """)
            .With("claimId", Guid.NewGuid().ToString("N"))
            .With("now", now)
            .With("staleBefore", staleBefore)
            .FirstAsync(r => new ScanClaim(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetTime(5)), cancellationToken);

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
            var current = await connection.Command("SELECT version FROM advisory_database FOR SHARE;")
                .FirstAsync(r => r.GetInt64(0), cancellationToken);
            var requeue = outcome.Status == ScanStatus.Done && outcome.AdvisoryVersion < current;
            return await connection.Command(
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
                .With("requeuedAt", requeue ? outcome.FinishedAt : null)
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
        await Command(
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

    private static ScanRecord ReadScan(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), (ScanStatus)r.GetInt32(2), r.GetNullableString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.IsDBNull(7) ? null : r.GetInt64(7),
            r.IsDBNull(8) ? null : new ScanSummary(r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)),
            null);
}
