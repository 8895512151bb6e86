using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    private const string UserColumns = "id, username, password_hash, is_admin, security_stamp, created_at, previous_password_hash, password_changed_at";

    private const string AccessTokenColumns = "id, user_id, name, secret_hash, created_at, expires_at, last_used_at, revoked_at";

    private const string SelectMembership =
        """
        SELECT m.project_id, p.name, m.user_id, u.username, m.role
        FROM project_members m
        JOIN projects p ON p.id = m.project_id
        JOIN users u ON u.id = m.user_id
        """;

    // ---- users

    public async Task<UserRecord> CreateUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        try
        {
            // RETURNING: the record carries the time as stored (to the microsecond), the same as later reads.
            return (await WriteCommand(
                $"""
                INSERT INTO users (id, username, password_hash, is_admin, security_stamp, created_at)
                VALUES (@id, @username, @passwordHash, @isAdmin, @stamp, @createdAt)
                RETURNING {UserColumns};
                """)
                .With("id", user.Id)
                .With("username", user.Username)
                .With("passwordHash", user.PasswordHash)
                .With("isAdmin", user.IsAdmin)
                .With("stamp", user.SecurityStamp)
                .With("createdAt", user.CreatedAt)
                .FirstAsync(ReadUser, cancellationToken))!;
        }
        catch (DbException e) when (_dialect.IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"user '{user.Username}' already exists");
        }
    }

    public Task<UserRecord?> GetUserAsync(string username, CancellationToken cancellationToken) =>
        Command($"SELECT {UserColumns} FROM users WHERE username = @username;")
            .With("username", username)
            .FirstAsync(ReadUser, cancellationToken);

    public Task<UserRecord?> GetUserByIdAsync(string userId, CancellationToken cancellationToken) =>
        Command($"SELECT {UserColumns} FROM users WHERE id = @id;")
            .With("id", userId)
            .FirstAsync(ReadUser, cancellationToken);

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken) =>
        await Command($"SELECT {UserColumns} FROM users ORDER BY username;")
            .ListAsync(ReadUser, cancellationToken);

    public Task<long?> SetUserPasswordAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteCommand(
            """
            UPDATE users SET previous_password_hash = password_hash, password_changed_at = @now,
                password_hash = @hash, security_stamp = security_stamp + 1
            WHERE id = @id
            RETURNING security_stamp;
            """)
            .With("id", userId)
            .With("hash", passwordHash)
            .With("now", now)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);

    public async Task<bool> UpgradeUserPasswordHashAsync(string userId, string currentHash, string newHash, CancellationToken cancellationToken) =>
        await WriteCommand("UPDATE users SET password_hash = @newHash WHERE id = @id AND password_hash = @currentHash;")
            .With("id", userId)
            .With("currentHash", currentHash)
            .With("newHash", newHash)
            .ExecuteAsync(cancellationToken) > 0;

    // ---- memberships

    public async Task SetMembershipAsync(string projectId, string userId, ProjectRole role, CancellationToken cancellationToken)
    {
        // Inserting from the project and user rows makes "both exist" part of the one statement.
        var written = await WriteCommand(
            """
            INSERT INTO project_members (project_id, user_id, role)
            SELECT p.id, u.id, @role FROM projects p, users u WHERE p.id = @projectId AND p.deleted_at IS NULL AND u.id = @userId
            ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role;
            """)
            .With("projectId", projectId)
            .With("userId", userId)
            .With("role", (int)role)
            .ExecuteAsync(cancellationToken);
        if (written == 0)
        {
            throw new KeyNotFoundException($"project '{projectId}' or user '{userId}' does not exist");
        }
    }

    public async Task<bool> RemoveMembershipAsync(string projectId, string userId, CancellationToken cancellationToken) =>
        await WriteCommand("DELETE FROM project_members WHERE project_id = @projectId AND user_id = @userId;")
            .With("projectId", projectId)
            .With("userId", userId)
            .ExecuteAsync(cancellationToken) > 0;

    public async Task<IReadOnlyList<ProjectMembership>> ListMembershipsOfUserAsync(string userId, CancellationToken cancellationToken) =>
        await Command(SelectMembership + " WHERE m.user_id = @userId ORDER BY p.name;")
            .With("userId", userId)
            .ListAsync(ReadMembership, cancellationToken);

    public async Task<IReadOnlyList<ProjectMembership>> ListProjectMembersAsync(string projectId, CancellationToken cancellationToken) =>
        await Command(SelectMembership + " WHERE m.project_id = @projectId ORDER BY u.username;")
            .With("projectId", projectId)
            .ListAsync(ReadMembership, cancellationToken);

    // ---- access tokens

    public async Task CreateAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken)
    {
        int written;
        try
        {
            // From the user row: a token for a user that does not exist is refused in the same statement.
            written = await WriteCommand(
                """
                INSERT INTO access_tokens (id, user_id, name, secret_hash, created_at, expires_at, last_used_at, revoked_at)
                SELECT @id, id, @name, @secretHash, @createdAt, @expiresAt, @lastUsedAt, @revokedAt FROM users WHERE id = @userId;
                """)
                .With("id", token.Id)
                .With("userId", token.UserId)
                .With("name", token.Name)
                .With("secretHash", token.SecretHash)
                .With("createdAt", token.CreatedAt)
                .With("expiresAt", token.ExpiresAt)
                .With("lastUsedAt", token.LastUsedAt)
                .With("revokedAt", token.RevokedAt)
                .ExecuteAsync(cancellationToken);
        }
        catch (DbException e) when (_dialect.IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"access token '{token.Id}' already exists");
        }

        if (written == 0)
        {
            throw new KeyNotFoundException($"user '{token.UserId}' does not exist");
        }
    }

    public Task<AccessTokenRecord?> GetAccessTokenAsync(string tokenId, CancellationToken cancellationToken) =>
        Command($"SELECT {AccessTokenColumns} FROM access_tokens WHERE id = @id;")
            .With("id", tokenId)
            .FirstAsync(ReadAccessToken, cancellationToken);

    public async Task<IReadOnlyList<AccessTokenRecord>> ListAccessTokensAsync(string userId, CancellationToken cancellationToken) =>
        // The id breaks ties between tokens created in the same instant, so the order is stable.
        await Command($"SELECT {AccessTokenColumns} FROM access_tokens WHERE user_id = @userId ORDER BY created_at DESC, id DESC;")
            .With("userId", userId)
            .ListAsync(ReadAccessToken, cancellationToken);

    public async Task<bool> RevokeAccessTokenAsync(string userId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteCommand("UPDATE access_tokens SET revoked_at = @now WHERE id = @id AND user_id = @userId AND revoked_at IS NULL;")
            .With("id", tokenId)
            .With("userId", userId)
            .With("now", now)
            .ExecuteAsync(cancellationToken) > 0;

    public Task TouchAccessTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
        // Monotonic, like a repository's "updated": touches from several nodes may land out of order.
        WriteCommand($"UPDATE access_tokens SET last_used_at = {_dialect.Greatest("COALESCE(last_used_at, @now)", "@now")} WHERE id = @id;")
            .With("id", tokenId)
            .With("now", now)
            .ExecuteAsync(cancellationToken);

    // ---- pull statistics

    public Task RecordPullsAsync(IReadOnlyList<PullCount> pulls, CancellationToken cancellationToken)
    {
        if (pulls.Count == 0)
        {
            return Task.CompletedTask;
        }

        // One transaction. Same keys are summed first (an upsert cannot touch a row twice in PostgreSQL), and rows are
        // written in key order so that nodes flushing overlapping batches at once lock them in the same order rather
        // than deadlock. Inserting from the repository row drops the counts of a repository deleted since the pulls
        // were counted, instead of failing the whole batch.
        var batch = pulls
            .GroupBy(p => (p.RepositoryId, p.ManifestDigest, HourStart: TruncateToHour(p.HourStart)))
            .Select(g => (g.Key.RepositoryId, g.Key.ManifestDigest, g.Key.HourStart, Count: g.Sum(p => p.Count),
                LastPulledAt: g.Max(p => p.LastPulledAt.ToUniversalTime())))
            .OrderBy(p => p.RepositoryId)
            .ThenBy(p => p.ManifestDigest, StringComparer.Ordinal)
            .ThenBy(p => p.HourStart)
            .ToList();
        var upsert =
            $"""
            INSERT INTO pull_counts (repository_id, manifest_digest, hour_start, count, last_pulled_at)
            SELECT id, @digest, @hour, @count, @last FROM repositories WHERE id = @repositoryId
            ON CONFLICT (repository_id, manifest_digest, hour_start) DO UPDATE
            SET count = pull_counts.count + excluded.count,
                last_pulled_at = {_dialect.Greatest("pull_counts.last_pulled_at", "excluded.last_pulled_at")};
            """;
        return WriteAsync(async connection =>
        {
            foreach (var pull in batch)
            {
                await connection.Command(upsert)
                    .With("repositoryId", pull.RepositoryId)
                    .With("digest", pull.ManifestDigest)
                    .With("hour", pull.HourStart)
                    .With("count", pull.Count)
                    .With("last", pull.LastPulledAt)
                    .ExecuteAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, CancellationToken cancellationToken) =>
        // From the manifests: every manifest the repository still has (zero when never pulled), and none it lost.
        await Command(
            """
            SELECT m.digest, CAST(COALESCE(SUM(pc.count), 0) AS bigint), MAX(pc.last_pulled_at)
            FROM manifests m
            LEFT JOIN pull_counts pc ON pc.repository_id = m.repository_id AND pc.manifest_digest = m.digest
            WHERE m.repository_id = @repositoryId
            GROUP BY m.digest
            ORDER BY m.digest;
            """)
            .With("repositoryId", repositoryId)
            .ListAsync(r => new ManifestPullStats(r.GetString(0), r.GetInt64(1), r.GetNullableTime(2)), cancellationToken);

    public async Task<IReadOnlyList<RepositoryPullStats>> GetRepositoryPullStatsAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        // Hour granularity: an hour counts in a window when it starts inside it. SUM(bigint) is numeric: cast back.
        await Command(
            """
            SELECT r.name,
                   CAST(COALESCE(SUM(pc.count), 0) AS bigint),
                   MAX(pc.last_pulled_at),
                   CAST(COALESCE(SUM(CASE WHEN pc.hour_start > @dayAgo THEN pc.count END), 0) AS bigint),
                   CAST(COALESCE(SUM(CASE WHEN pc.hour_start > @weekAgo THEN pc.count END), 0) AS bigint)
            FROM repositories r
            LEFT JOIN pull_counts pc ON pc.repository_id = r.id
            WHERE r.registry_id = @registryId
            GROUP BY r.id
            ORDER BY r.name;
            """)
            .With("registryId", registryId)
            .With("dayAgo", now.AddHours(-24))
            .With("weekAgo", now.AddDays(-7))
            .ListAsync(r => new RepositoryPullStats(
                r.GetString(0), r.GetInt64(1), r.GetNullableTime(2), r.GetInt64(3), r.GetInt64(4)), cancellationToken);

    /// <summary>The start of the hour <paramref name="value"/> falls in, in UTC: one row per hour whatever the caller passes.</summary>
    private static DateTimeOffset TruncateToHour(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    private static UserRecord ReadUser(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetInt64(4), r.GetTime(5), r.GetNullableString(6), r.GetNullableTime(7));

    private static ProjectMembership ReadMembership(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ProjectRole)r.GetInt32(4));

    private static AccessTokenRecord ReadAccessToken(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.GetNullableTime(7));
}
