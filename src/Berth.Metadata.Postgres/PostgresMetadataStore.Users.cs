using Berth.Core.Metadata;
using Npgsql;

namespace Berth.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
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
            return (await Command(
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
        catch (PostgresException e) when (IsUniqueViolation(e))
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
        Command(
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
        await Command("UPDATE users SET password_hash = @newHash WHERE id = @id AND password_hash = @currentHash;")
            .With("id", userId)
            .With("currentHash", currentHash)
            .With("newHash", newHash)
            .ExecuteAsync(cancellationToken) > 0;

    // ---- memberships

    public async Task SetMembershipAsync(string projectId, string userId, ProjectRole role, CancellationToken cancellationToken)
    {
        // Inserting from the project and user rows makes "both exist" part of the one statement.
        var written = await Command(
            """
            INSERT INTO project_members (project_id, user_id, role)
            SELECT p.id, u.id, @role FROM projects p, users u WHERE p.id = @projectId AND u.id = @userId
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
        await Command("DELETE FROM project_members WHERE project_id = @projectId AND user_id = @userId;")
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
            written = await Command(
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
        catch (PostgresException e) when (IsUniqueViolation(e))
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
        await Command("UPDATE access_tokens SET revoked_at = @now WHERE id = @id AND user_id = @userId AND revoked_at IS NULL;")
            .With("id", tokenId)
            .With("userId", userId)
            .With("now", now)
            .ExecuteAsync(cancellationToken) > 0;

    public Task TouchAccessTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
        // Monotonic, like a repository's "updated": touches from several nodes may land out of order. GREATEST
        // ignores the NULL of a token never used.
        Command("UPDATE access_tokens SET last_used_at = GREATEST(last_used_at, @now) WHERE id = @id;")
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

        // The whole batch is one statement (one transaction): the rows travel as arrays. Same keys are summed first
        // (an upsert cannot touch a row twice), and rows are written in key order so that nodes flushing overlapping
        // batches at once lock them in the same order rather than deadlock. Joining the repositories drops the
        // counts of a repository deleted since the pulls were counted, instead of failing the whole batch.
        var ordered = pulls
            .Select(p => p with { HourStart = TruncateToHour(p.HourStart), LastPulledAt = p.LastPulledAt.ToUniversalTime() })
            .OrderBy(p => p.RepositoryId)
            .ThenBy(p => p.ManifestDigest, StringComparer.Ordinal)
            .ThenBy(p => p.HourStart)
            .ToList();
        return Command(
            """
            INSERT INTO pull_counts (repository_id, manifest_digest, hour_start, count, last_pulled_at)
            SELECT b.repository_id, b.manifest_digest, b.hour_start, SUM(b.count), MAX(b.last_pulled_at)
            FROM unnest(@repositoryIds, @digests, @hours, @counts, @lasts)
                 AS b (repository_id, manifest_digest, hour_start, count, last_pulled_at)
            JOIN repositories r ON r.id = b.repository_id
            GROUP BY b.repository_id, b.manifest_digest, b.hour_start
            ORDER BY b.repository_id, b.manifest_digest COLLATE "C", b.hour_start
            ON CONFLICT (repository_id, manifest_digest, hour_start) DO UPDATE
            SET count = pull_counts.count + excluded.count,
                last_pulled_at = GREATEST(pull_counts.last_pulled_at, excluded.last_pulled_at);
            """)
            .With("repositoryIds", ordered.Select(p => p.RepositoryId).ToArray())
            .With("digests", ordered.Select(p => p.ManifestDigest).ToArray())
            .With("hours", ordered.Select(p => p.HourStart).ToArray())
            .With("counts", ordered.Select(p => p.Count).ToArray())
            .With("lasts", ordered.Select(p => p.LastPulledAt).ToArray())
            .ExecuteAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, CancellationToken cancellationToken) =>
        // From the manifests: every manifest the repository still has (zero when never pulled), and none it lost.
        await Command(
            """
            SELECT m.digest, COALESCE(SUM(pc.count), 0)::bigint, MAX(pc.last_pulled_at)
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
                   COALESCE(SUM(pc.count), 0)::bigint,
                   MAX(pc.last_pulled_at),
                   COALESCE(SUM(pc.count) FILTER (WHERE pc.hour_start > @dayAgo), 0)::bigint,
                   COALESCE(SUM(pc.count) FILTER (WHERE pc.hour_start > @weekAgo), 0)::bigint
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

    private static UserRecord ReadUser(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetInt64(4), r.GetTime(5), r.GetNullableString(6), r.GetNullableTime(7));

    private static ProjectMembership ReadMembership(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ProjectRole)r.GetInt32(4));

    private static AccessTokenRecord ReadAccessToken(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.GetNullableTime(7));
}
