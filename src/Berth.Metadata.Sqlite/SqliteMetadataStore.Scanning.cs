using System.Runtime.CompilerServices;
using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
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

    public Task<AdvisoryUpsertResult> UpsertAdvisoriesAsync(IReadOnlyList<AdvisoryDocument> advisories, DateTimeOffset importedAt, CancellationToken cancellationToken)
    {
        var batch = LatestById(advisories);
        if (batch.Count == 0)
        {
            return Task.FromResult(new AdvisoryUpsertResult(0, 0, 0));
        }

        return WriteAsync(async (connection, transaction) =>
        {
            // Two commands re-executed per document in one transaction, each prepared once. The probe tells a new
            // advisory from a changed or an identical one, comparing in SQL so the stored JSON is never read out;
            // only the first two are written.
            await using var probe = connection.Command("SELECT json = $json FROM advisories WHERE id = $id;", transaction);
            var probeId = probe.Parameters.Add("$id", SqliteType.Text);
            var probeJson = probe.Parameters.Add("$json", SqliteType.Text);
            await using var upsert = connection.Command(
                """
                INSERT INTO advisories (id, source, modified, json, imported_at)
                VALUES ($id, $source, $modified, $json, $importedAt)
                ON CONFLICT (id) DO UPDATE
                SET source = excluded.source, modified = excluded.modified, json = excluded.json, imported_at = excluded.imported_at;
                """, transaction)
                .With("$importedAt", importedAt);
            var id = upsert.Parameters.Add("$id", SqliteType.Text);
            var source = upsert.Parameters.Add("$source", SqliteType.Text);
            var modified = upsert.Parameters.Add("$modified", SqliteType.Text);
            var json = upsert.Parameters.Add("$json", SqliteType.Text);

            int added = 0, updated = 0, unchanged = 0;
            foreach (var advisory in batch)
            {
                probeId.Value = advisory.Id;
                probeJson.Value = advisory.Json;
                var same = await probe.ExecuteScalarAsync(cancellationToken);
                if (same is 1L)
                {
                    unchanged++;
                    continue;
                }

                id.Value = advisory.Id;
                source.Value = advisory.Source;
                modified.Value = advisory.Modified is { } time ? SqliteCommandExtensions.FormatTime(time) : DBNull.Value;
                json.Value = advisory.Json;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
                if (same is null)
                {
                    added++;
                }
                else
                {
                    updated++;
                }
            }

            return new AdvisoryUpsertResult(added, updated, unchanged);
        }, cancellationToken);
    }

    public async Task<long> BumpAdvisoryVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // One statement, so one write transaction: bumps are serialised and each reads back its own number.
        return await connection.Command("UPDATE advisory_database SET version = version + 1 RETURNING version;")
            .FirstAsync(r => r.GetInt64(0), cancellationToken);
    }

    public async Task<long> GetAdvisoryVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command("SELECT version FROM advisory_database;")
            .FirstAsync(r => r.GetInt64(0), cancellationToken);
    }

    public async Task<AdvisoryDatabaseStatus> GetAdvisoryStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // One statement, so the version and the sources come from the same snapshot. The left join keeps the version
        // row when there are no advisories at all.
        var rows = await connection.Command(
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
        // One statement, so one snapshot: under WAL an import can commit meanwhile without disturbing the read.
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT json FROM advisories;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader.GetString(0);
        }
    }

    // ---- scans

    public Task<bool> QueueScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Inserting from the manifest row: no scan of a manifest that does not exist. A finished scan is queued
            // again with the results of its last run kept; a queued or running one is left as it is.
            var queued = await connection.Command(
                $"""
                INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
                SELECT repository_id, digest, {ScanQueued}, $now FROM manifests WHERE repository_id = $repositoryId AND digest = $digest
                ON CONFLICT (repository_id, manifest_digest) DO UPDATE SET status = {ScanQueued}, queued_at = excluded.queued_at
                WHERE status IN ({ScanDone}, {ScanFailed});
                """, transaction)
                .With("$repositoryId", repositoryId)
                .With("$digest", manifestDigest)
                .With("$now", now)
                .ExecuteAsync(cancellationToken) > 0;

            // Nothing written: either the scan is pending already (success) or the manifest does not exist.
            return queued || await connection.Command("SELECT 1 FROM manifests WHERE repository_id = $repositoryId AND digest = $digest;", transaction)
                .With("$repositoryId", repositoryId)
                .With("$digest", manifestDigest)
                .FirstAsync(_ => true, cancellationToken);
        }, cancellationToken);

    public async Task<bool> QueueNewScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command(
            $"""
            INSERT INTO scans (repository_id, manifest_digest, status, queued_at)
            SELECT repository_id, digest, {ScanQueued}, $now FROM manifests WHERE repository_id = $repositoryId AND digest = $digest
            ON CONFLICT (repository_id, manifest_digest) DO NOTHING;
            """)
            .With("$repositoryId", repositoryId)
            .With("$digest", manifestDigest)
            .With("$now", now)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<int> QueueOutdatedScansAsync(long advisoryVersion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // A scan that recorded no advisory version (one that failed before matching) is not "older" than any.
        return await connection.Command(
            $"""
            UPDATE scans SET status = {ScanQueued}, queued_at = $now
            WHERE status IN ({ScanDone}, {ScanFailed}) AND advisory_version < $version;
            """)
            .With("$version", advisoryVersion)
            .With("$now", now)
            .ExecuteAsync(cancellationToken);
    }

    public Task<ScanClaim?> ClaimScanAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken) =>
        WriteAsync<ScanClaim?>(async (connection, transaction) =>
        {
            // The pick and the claim share the IMMEDIATE transaction: concurrent claims are serialised, and the second
            // finds the scan running under a fresh claim. "status IN (...)" spelled out lets SQLite use the partial index.
            var next = await connection.Command(
                $"""
                SELECT s.repository_id, s.manifest_digest, r.registry_id, r.name
                FROM scans s JOIN repositories r ON r.id = s.repository_id
                WHERE s.status IN ({ScanQueued}, {ScanRunning}) AND (s.status = {ScanQueued} OR s.claimed_at < $staleBefore)
                ORDER BY s.queued_at
                LIMIT 1;
                """, transaction)
                .With("$staleBefore", staleBefore)
                .FirstAsync(r => (RepositoryId: r.GetInt64(0), Digest: r.GetString(1), RegistryId: r.GetString(2), Repository: r.GetString(3)), cancellationToken);
            if (next.Digest is null)
            {
                return null;
            }

            var claimId = Guid.NewGuid().ToString("N");
            await connection.Command(
                $"""
                UPDATE scans SET status = {ScanRunning}, claim_id = $claimId, claimed_at = $now, started_at = $now
                WHERE repository_id = $repositoryId AND manifest_digest = $digest;
                """, transaction)
                .With("$repositoryId", next.RepositoryId)
                .With("$digest", next.Digest)
                .With("$claimId", claimId)
                .With("$now", now)
                .ExecuteAsync(cancellationToken);
            return new ScanClaim(claimId, next.RegistryId, next.RepositoryId, next.Repository, next.Digest, now.ToUniversalTime());
        }, cancellationToken);

    public Task<bool> CompleteScanAsync(ScanClaim claim, ScanOutcome outcome, CancellationToken cancellationToken)
    {
        ValidateOutcome(outcome);
        if (outcome.Status == ScanStatus.Queued)
        {
            // Handed back unfinished: queued again as it was, with its previous report, for the next claim.
            return ReleaseClaimAsync(claim, cancellationToken);
        }

        return WriteAsync(async (connection, transaction) =>
        {
            // The version read and the write share the IMMEDIATE transaction, so no import's bump can land between.
            var current = await connection.Command("SELECT version FROM advisory_database;", transaction)
                .FirstAsync(r => r.GetInt64(0), cancellationToken);
            var requeue = outcome.Status == ScanStatus.Done && outcome.AdvisoryVersion < current;
            return await connection.Command(
                $"""
                UPDATE scans
                SET status = $status, queued_at = COALESCE($requeuedAt, queued_at), reason = $reason, finished_at = $finishedAt,
                    advisory_version = $advisoryVersion, critical = $critical, high = $high, medium = $medium, low = $low,
                    unknown = $unknown, report_json = $report, claim_id = NULL, claimed_at = NULL
                WHERE repository_id = $repositoryId AND manifest_digest = $digest AND status = {ScanRunning} AND claim_id = $claimId;
                """, transaction)
                .With("$repositoryId", claim.RepositoryId)
                .With("$digest", claim.ManifestDigest)
                .With("$claimId", claim.ClaimId)
                .With("$status", (int)(requeue ? ScanStatus.Queued : outcome.Status))
                .WithTime("$requeuedAt", requeue ? outcome.FinishedAt : null)
                .With("$reason", outcome.Reason)
                .With("$finishedAt", outcome.FinishedAt)
                .With("$advisoryVersion", outcome.AdvisoryVersion)
                .With("$critical", outcome.Summary?.Critical)
                .With("$high", outcome.Summary?.High)
                .With("$medium", outcome.Summary?.Medium)
                .With("$low", outcome.Summary?.Low)
                .With("$unknown", outcome.Summary?.Unknown)
                .With("$report", outcome.ReportJson)
                .ExecuteAsync(cancellationToken) > 0;
        }, cancellationToken);
    }

    public async Task<ScanRecord?> GetScanAsync(long repositoryId, string manifestDigest, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {ScanColumns}, report_json FROM scans WHERE repository_id = $repositoryId AND manifest_digest = $digest;")
            .With("$repositoryId", repositoryId)
            .With("$digest", manifestDigest)
            .FirstAsync(r => ReadScan(r) with { ReportJson = r.GetNullableString(13) }, cancellationToken);
    }

    public async Task<IReadOnlyList<ScanRecord>> ListScansAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {ScanColumns} FROM scans WHERE repository_id = $repositoryId ORDER BY manifest_digest;")
            .With("$repositoryId", repositoryId)
            .ListAsync(ReadScan, cancellationToken);
    }

    /// <summary>
    /// The batch with one document per id, the last one where an id repeats (as if applied in order): an upsert
    /// touches each row once, and the counts are per advisory.
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

    private async Task<bool> ReleaseClaimAsync(ScanClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command(
            $"""
            UPDATE scans SET status = {ScanQueued}, claim_id = NULL, claimed_at = NULL
            WHERE repository_id = $repositoryId AND manifest_digest = $digest AND status = {ScanRunning} AND claim_id = $claimId;
            """)
            .With("$repositoryId", claim.RepositoryId)
            .With("$digest", claim.ManifestDigest)
            .With("$claimId", claim.ClaimId)
            .ExecuteAsync(cancellationToken) > 0;
    }

    private static void ValidateOutcome(ScanOutcome outcome)
    {
        if (outcome.Status is not (ScanStatus.Done or ScanStatus.Failed or ScanStatus.Queued))
        {
            throw new ArgumentException($"a scan ends done or failed, or is handed back queued; not {outcome.Status}", nameof(outcome));
        }
    }

    private static ScanRecord ReadScan(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), (ScanStatus)r.GetInt32(2), r.GetNullableString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.IsDBNull(7) ? null : r.GetInt64(7),
            r.IsDBNull(8) ? null : new ScanSummary(r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)),
            null);
}
