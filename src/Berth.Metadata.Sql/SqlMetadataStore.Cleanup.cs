using System.Data.Common;
using System.Text.Json;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

/// <summary>
/// Cleanup policies and runs (one policy per registry; at most one running run per registry, which a unique partial
/// index enforces across nodes), and the reads a plan is made from: one repository at a time, so a plan never holds
/// more of the registry than its largest repository.
/// </summary>
public abstract partial class SqlMetadataStore
{
    private const string RunColumns =
        "id, registry_id, trigger, status, started_at, heartbeat_at, finished_at, tags_deleted, manifests_deleted, skipped, bytes_freed, errors_json";

    private const string Running = "running";

    public async Task<CleanupPolicyRecord?> GetCleanupPolicyAsync(string registryId, CancellationToken cancellationToken) =>
        await Command("SELECT registry_id, policy_json, schedule, next_run_at, updated_at FROM cleanup_policies WHERE registry_id = @registryId;")
            .With("registryId", registryId)
            .FirstAsync(ReadPolicy, cancellationToken);

    public async Task<bool> SetCleanupPolicyAsync(CleanupPolicyRecord policy, CancellationToken cancellationToken) =>
        // INSERT … SELECT from the live registry: a policy for a registry being deleted is refused, not orphaned.
        await WriteCommand(
            """
            INSERT INTO cleanup_policies (registry_id, policy_json, schedule, next_run_at, updated_at)
            SELECT id, @policy, @schedule, @nextRunAt, @updatedAt FROM registries WHERE id = @registryId AND deleted_at IS NULL
            ON CONFLICT (registry_id) DO UPDATE SET policy_json = excluded.policy_json, schedule = excluded.schedule,
                next_run_at = excluded.next_run_at, updated_at = excluded.updated_at;
            """)
            .With("registryId", policy.RegistryId)
            .With("policy", policy.PolicyJson)
            .With("schedule", policy.Schedule)
            .With("nextRunAt", policy.NextRunAt)
            .With("updatedAt", policy.UpdatedAt)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<bool> DeleteCleanupPolicyAsync(string registryId, CancellationToken cancellationToken) =>
        await WriteCommand("DELETE FROM cleanup_policies WHERE registry_id = @registryId;")
            .With("registryId", registryId)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<CleanupPolicyRecord>> ListDueCleanupPoliciesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await Command(
            """
            SELECT p.registry_id, p.policy_json, p.schedule, p.next_run_at, p.updated_at
            FROM cleanup_policies p JOIN registries g ON g.id = p.registry_id
            WHERE p.next_run_at IS NOT NULL AND p.next_run_at <= @now AND g.deleted_at IS NULL
            ORDER BY p.next_run_at LIMIT @limit;
            """)
            .With("now", now)
            .With("limit", limit)
            .ListAsync(ReadPolicy, cancellationToken);

    public async Task<bool> ClaimCleanupPolicyAsync(string registryId, DateTimeOffset expected, DateTimeOffset? nextRunAt, CancellationToken cancellationToken) =>
        await WriteCommand("UPDATE cleanup_policies SET next_run_at = @next WHERE registry_id = @registryId AND next_run_at = @expected;")
            .With("registryId", registryId)
            .With("expected", expected)
            .With("next", nextRunAt)
            .ExecuteAsync(cancellationToken) == 1;

    public async Task<CleanupRunRecord?> StartCleanupRunAsync(string registryId, string trigger, DateTimeOffset now, DateTimeOffset staleBefore,
        CancellationToken cancellationToken)
    {
        // A run left "running" by a node that died would otherwise block the registry's cleanups for good.
        await InterruptStaleAsync(registryId, staleBefore, now, cancellationToken);
        try
        {
            return await WriteCommand(
                $"""
                INSERT INTO cleanup_runs (registry_id, trigger, status, started_at, heartbeat_at)
                VALUES (@registryId, @trigger, '{Running}', @now, @now)
                RETURNING {RunColumns};
                """)
                .With("registryId", registryId)
                .With("trigger", trigger)
                .With("now", now)
                .FirstAsync(ReadRun, cancellationToken);
        }
        catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
        {
            return null;
        }
    }

    public async Task HeartbeatCleanupRunsAsync(IReadOnlyCollection<long> runIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return;
        }

        await WriteCommand($"UPDATE cleanup_runs SET heartbeat_at = @now WHERE status = '{Running}' AND {_dialect.InList("id", "ids")};")
            .With("now", now)
            .WithList("ids", runIds)
            .ExecuteAsync(cancellationToken);
    }

    public async Task<bool> FinishCleanupRunAsync(long runId, CleanupRunOutcome outcome, CancellationToken cancellationToken) =>
        await WriteCommand(
            $"""
            UPDATE cleanup_runs SET status = @status, finished_at = @finishedAt, heartbeat_at = @finishedAt, tags_deleted = @tags,
                manifests_deleted = @manifests, skipped = @skipped, bytes_freed = @bytes, errors_json = @errors
            WHERE id = @id AND status = '{Running}';
            """)
            .With("id", runId)
            .With("status", outcome.Status)
            .With("finishedAt", outcome.FinishedAt)
            .With("tags", outcome.TagsDeleted)
            .With("manifests", outcome.ManifestsDeleted)
            .With("skipped", outcome.Skipped)
            .With("bytes", outcome.BytesFreed)
            .With("errors", outcome.Errors.Count == 0 ? null : JsonSerializer.Serialize(outcome.Errors))
            .ExecuteAsync(cancellationToken) == 1;

    public Task<int> InterruptStaleCleanupRunsAsync(DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        InterruptStaleAsync(null, staleBefore, now, cancellationToken);

    public async Task<CleanupRunRecord?> GetCleanupRunAsync(string registryId, long runId, CancellationToken cancellationToken) =>
        await Command($"SELECT {RunColumns} FROM cleanup_runs WHERE id = @id AND registry_id = @registryId;")
            .With("id", runId)
            .With("registryId", registryId)
            .FirstAsync(ReadRun, cancellationToken);

    public async Task<IReadOnlyList<CleanupRunRecord>> ListCleanupRunsAsync(string registryId, long? beforeId, int limit, CancellationToken cancellationToken) =>
        // Ids grow with every insert, so id order is start order: one range of cleanup_runs_registry, newest first.
        await Command(
            $"""
            SELECT {RunColumns} FROM cleanup_runs
            WHERE registry_id = @registryId AND id < @before
            ORDER BY id DESC LIMIT @limit;
            """)
            .With("registryId", registryId)
            .With("before", beforeId ?? long.MaxValue)
            .With("limit", limit)
            .ListAsync(ReadRun, cancellationToken);

    public async Task<IReadOnlyList<RepositoryRecord>> ListCleanupRepositoriesAsync(string registryId, CancellationToken cancellationToken) =>
        await Command("SELECT id, registry_id, name, created_at FROM repositories WHERE registry_id = @registryId AND deleted_at IS NULL ORDER BY name;")
            .With("registryId", registryId)
            .ListAsync(ReadRepository, cancellationToken);

    public async Task<CleanupRepositoryContents> GetCleanupContentsAsync(long repositoryId, CancellationToken cancellationToken)
    {
        // Three statements on one connection, each its own snapshot: a push in between may show a tag whose manifest
        // was not read. The planner treats what it cannot see as staying, and the run's guarded deletes recheck
        // everything at the moment they delete.
        await using var session = await ReadAsync(cancellationToken);
        var tags = await session.Command("SELECT name, manifest_digest, updated_at FROM tags WHERE repository_id = @repositoryId;")
            .With("repositoryId", repositoryId)
            .ListAsync(r => new CleanupTag(r.GetString(0), r.GetString(1), r.GetTime(2)), cancellationToken);
        var manifests = await session.Command(
            """
            SELECT m.digest, m.created_at, m.untagged_at, m.subject_digest, m.size,
                   (SELECT MAX(pc.last_pulled_at) FROM pull_counts pc WHERE pc.repository_id = m.repository_id AND pc.manifest_digest = m.digest)
            FROM manifests m WHERE m.repository_id = @repositoryId;
            """)
            .With("repositoryId", repositoryId)
            .ListAsync(r => new CleanupManifest(r.GetString(0), r.GetTime(1), r.GetNullableTime(2), r.GetNullableString(3), r.GetInt64(4),
                r.GetNullableTime(5)), cancellationToken);
        var links = await session.Command("SELECT manifest_digest, child_digest FROM manifest_links WHERE repository_id = @repositoryId AND is_manifest;")
            .With("repositoryId", repositoryId)
            .ListAsync(r => new CleanupIndexLink(r.GetString(0), r.GetString(1)), cancellationToken);
        return new CleanupRepositoryContents(tags, manifests, links);
    }

    public async Task<IReadOnlyList<CleanupBlobLink>> ListCleanupBlobsAsync(long repositoryId, IReadOnlyCollection<string> manifestDigests,
        CancellationToken cancellationToken)
    {
        if (manifestDigests.Count == 0)
        {
            return [];
        }

        return await Command(
            $"""
            SELECT repository_id, manifest_digest, child_digest, size FROM manifest_links
            WHERE repository_id = @repositoryId AND NOT is_manifest AND {_dialect.InList("manifest_digest", "digests")};
            """)
            .With("repositoryId", repositoryId)
            .WithList("digests", manifestDigests)
            .ListAsync(r => new CleanupBlobLink(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), InBin: false), cancellationToken);
    }

    public async Task<IReadOnlyList<CleanupBlobLink>> ListBlobReferencesAsync(string registryId, IReadOnlyCollection<string> blobDigests,
        CancellationToken cancellationToken)
    {
        if (blobDigests.Count == 0)
        {
            return [];
        }

        // Per repository of the registry, an index probe per digest (manifest_links_child, deleted_manifest_links_child).
        return await Command(
            $"""
            SELECT ml.repository_id, ml.manifest_digest, ml.child_digest, ml.size, FALSE
            FROM repositories r JOIN manifest_links ml ON ml.repository_id = r.id
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL AND {_dialect.InList("ml.child_digest", "digests")} AND NOT ml.is_manifest
            UNION ALL
            SELECT dl.repository_id, dl.manifest_digest, dl.child_digest, dl.size, TRUE
            FROM repositories r JOIN deleted_manifest_links dl ON dl.repository_id = r.id
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL AND {_dialect.InList("dl.child_digest", "digests")} AND NOT dl.is_manifest;
            """)
            .With("registryId", registryId)
            .WithList("digests", blobDigests)
            .ListAsync(r => new CleanupBlobLink(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetBoolean(4)), cancellationToken);
    }

    private async Task<int> InterruptStaleAsync(string? registryId, DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteCommand(
            $"""
            UPDATE cleanup_runs SET status = 'interrupted', finished_at = @now
            WHERE status = '{Running}' AND heartbeat_at < @staleBefore AND (@registryId IS NULL OR registry_id = @registryId);
            """)
            .With("registryId", registryId)
            .With("staleBefore", staleBefore)
            .With("now", now)
            .ExecuteAsync(cancellationToken);

    private static CleanupPolicyRecord ReadPolicy(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetNullableTime(3), r.GetTime(4));

    private static CleanupRunRecord ReadRun(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetTime(4), r.GetTime(5), r.GetNullableTime(6), r.GetInt64(7),
            r.GetInt64(8), r.GetInt64(9), r.GetInt64(10),
            r.GetNullableString(11) is { } errors ? JsonSerializer.Deserialize<string[]>(errors) ?? [] : []);
}
