using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
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
        await using var connection = await OpenWriterAsync(cancellationToken);
        try
        {
            await connection.Command(
                """
                INSERT INTO users (id, username, password_hash, is_admin, security_stamp, created_at)
                VALUES ($id, $username, $passwordHash, $isAdmin, $stamp, $createdAt);
                """)
                .With("$id", user.Id)
                .With("$username", user.Username)
                .With("$passwordHash", user.PasswordHash)
                .With("$isAdmin", user.IsAdmin ? 1 : 0)
                .With("$stamp", user.SecurityStamp)
                .With("$createdAt", user.CreatedAt)
                .ExecuteAsync(cancellationToken);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"user '{user.Username}' already exists");
        }

        return user with { CreatedAt = user.CreatedAt.ToUniversalTime() };
    }

    public async Task<UserRecord?> GetUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {UserColumns} FROM users WHERE username = $username;")
            .With("$username", username)
            .FirstAsync(ReadUser, cancellationToken);
    }

    public async Task<UserRecord?> GetUserByIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {UserColumns} FROM users WHERE id = $id;")
            .With("$id", userId)
            .FirstAsync(ReadUser, cancellationToken);
    }

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {UserColumns} FROM users ORDER BY username COLLATE BINARY;")
            .ListAsync(ReadUser, cancellationToken);
    }

    public async Task<long?> SetUserPasswordAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command(
            """
            UPDATE users SET previous_password_hash = password_hash, password_changed_at = $now,
                password_hash = $hash, security_stamp = security_stamp + 1
            WHERE id = $id
            RETURNING security_stamp;
            """)
            .With("$id", userId)
            .With("$hash", passwordHash)
            .With("$now", now)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
    }

    public async Task<bool> UpgradeUserPasswordHashAsync(string userId, string currentHash, string newHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("UPDATE users SET password_hash = $newHash WHERE id = $id AND password_hash = $currentHash;")
            .With("$id", userId)
            .With("$currentHash", currentHash)
            .With("$newHash", newHash)
            .ExecuteAsync(cancellationToken) > 0;
    }

    // ---- memberships

    public async Task SetMembershipAsync(string projectId, string userId, ProjectRole role, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // Inserting from the project and user rows makes "both exist" part of the one statement (the WHERE also
        // keeps SQLite from reading ON CONFLICT as a join constraint).
        var written = await connection.Command(
            """
            INSERT INTO project_members (project_id, user_id, role)
            SELECT p.id, u.id, $role FROM projects p, users u WHERE p.id = $projectId AND u.id = $userId
            ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role;
            """)
            .With("$projectId", projectId)
            .With("$userId", userId)
            .With("$role", (int)role)
            .ExecuteAsync(cancellationToken);
        if (written == 0)
        {
            throw new KeyNotFoundException($"project '{projectId}' or user '{userId}' does not exist");
        }
    }

    public async Task<bool> RemoveMembershipAsync(string projectId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command("DELETE FROM project_members WHERE project_id = $projectId AND user_id = $userId;")
            .With("$projectId", projectId)
            .With("$userId", userId)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<ProjectMembership>> ListMembershipsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectMembership + " WHERE m.user_id = $userId ORDER BY p.name COLLATE BINARY;")
            .With("$userId", userId)
            .ListAsync(ReadMembership, cancellationToken);
    }

    public async Task<IReadOnlyList<ProjectMembership>> ListProjectMembersAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command(SelectMembership + " WHERE m.project_id = $projectId ORDER BY u.username COLLATE BINARY;")
            .With("$projectId", projectId)
            .ListAsync(ReadMembership, cancellationToken);
    }

    // ---- access tokens

    public async Task CreateAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        int written;
        try
        {
            // From the user row: a token for a user that does not exist is refused in the same statement.
            written = await connection.Command(
                """
                INSERT INTO access_tokens (id, user_id, name, secret_hash, created_at, expires_at, last_used_at, revoked_at)
                SELECT $id, id, $name, $secretHash, $createdAt, $expiresAt, $lastUsedAt, $revokedAt FROM users WHERE id = $userId;
                """)
                .With("$id", token.Id)
                .With("$userId", token.UserId)
                .With("$name", token.Name)
                .With("$secretHash", token.SecretHash)
                .With("$createdAt", token.CreatedAt)
                .WithTime("$expiresAt", token.ExpiresAt)
                .WithTime("$lastUsedAt", token.LastUsedAt)
                .WithTime("$revokedAt", token.RevokedAt)
                .ExecuteAsync(cancellationToken);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"access token '{token.Id}' already exists");
        }

        if (written == 0)
        {
            throw new KeyNotFoundException($"user '{token.UserId}' does not exist");
        }
    }

    public async Task<AccessTokenRecord?> GetAccessTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.Command($"SELECT {AccessTokenColumns} FROM access_tokens WHERE id = $id;")
            .With("$id", tokenId)
            .FirstAsync(ReadAccessToken, cancellationToken);
    }

    public async Task<IReadOnlyList<AccessTokenRecord>> ListAccessTokensAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // The id breaks ties between tokens created in the same instant, so the order is stable.
        return await connection.Command(
            $"SELECT {AccessTokenColumns} FROM access_tokens WHERE user_id = $userId ORDER BY created_at DESC, id DESC;")
            .With("$userId", userId)
            .ListAsync(ReadAccessToken, cancellationToken);
    }

    public async Task<bool> RevokeAccessTokenAsync(string userId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);
        return await connection.Command(
            "UPDATE access_tokens SET revoked_at = $now WHERE id = $id AND user_id = $userId AND revoked_at IS NULL;")
            .With("$id", tokenId)
            .With("$userId", userId)
            .With("$now", now)
            .ExecuteAsync(cancellationToken) > 0;
    }

    public async Task TouchAccessTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriterAsync(cancellationToken);

        // Monotonic, like a repository's "updated": touches from several requests may land out of order.
        await connection.Command("UPDATE access_tokens SET last_used_at = MAX(COALESCE(last_used_at, $now), $now) WHERE id = $id;")
            .With("$id", tokenId)
            .With("$now", now)
            .ExecuteAsync(cancellationToken);
    }

    // ---- pull statistics

    public Task RecordPullsAsync(IReadOnlyList<PullCount> pulls, CancellationToken cancellationToken)
    {
        if (pulls.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(async (connection, transaction) =>
        {
            // One command re-executed per row in one transaction. Inserting from the repository row drops the counts
            // of a repository deleted since the pulls were counted, instead of failing the whole batch.
            await using var command = connection.Command(
                """
                INSERT INTO pull_counts (repository_id, manifest_digest, hour_start, count, last_pulled_at)
                SELECT id, $digest, $hour, $count, $last FROM repositories WHERE id = $repositoryId
                ON CONFLICT (repository_id, manifest_digest, hour_start) DO UPDATE
                SET count = count + excluded.count, last_pulled_at = MAX(last_pulled_at, excluded.last_pulled_at);
                """, transaction);
            var repositoryId = command.Parameters.Add("$repositoryId", SqliteType.Integer);
            var digest = command.Parameters.Add("$digest", SqliteType.Text);
            var hour = command.Parameters.Add("$hour", SqliteType.Text);
            var count = command.Parameters.Add("$count", SqliteType.Integer);
            var last = command.Parameters.Add("$last", SqliteType.Text);
            foreach (var pull in pulls)
            {
                repositoryId.Value = pull.RepositoryId;
                digest.Value = pull.ManifestDigest;
                hour.Value = SqliteCommandExtensions.FormatTime(TruncateToHour(pull.HourStart));
                count.Value = pull.Count;
                last.Value = SqliteCommandExtensions.FormatTime(pull.LastPulledAt);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ManifestPullStats>> GetManifestPullStatsAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // From the manifests: every manifest the repository still has (zero when never pulled), and none it lost.
        return await connection.Command(
            """
            SELECT m.digest, COALESCE(SUM(pc.count), 0), MAX(pc.last_pulled_at)
            FROM manifests m
            LEFT JOIN pull_counts pc ON pc.repository_id = m.repository_id AND pc.manifest_digest = m.digest
            WHERE m.repository_id = $repositoryId
            GROUP BY m.digest
            ORDER BY m.digest;
            """)
            .With("$repositoryId", repositoryId)
            .ListAsync(r => new ManifestPullStats(r.GetString(0), r.GetInt64(1), r.GetNullableTime(2)), cancellationToken);
    }

    public async Task<IReadOnlyList<RepositoryPullStats>> GetRepositoryPullStatsAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // Hour granularity: an hour counts in a window when it starts inside it (the text format sorts by time).
        return await connection.Command(
            """
            SELECT r.name,
                   COALESCE(SUM(pc.count), 0),
                   MAX(pc.last_pulled_at),
                   COALESCE(SUM(CASE WHEN pc.hour_start > $dayAgo THEN pc.count END), 0),
                   COALESCE(SUM(CASE WHEN pc.hour_start > $weekAgo THEN pc.count END), 0)
            FROM repositories r
            LEFT JOIN pull_counts pc ON pc.repository_id = r.id
            WHERE r.registry_id = $registryId
            GROUP BY r.id
            ORDER BY r.name COLLATE BINARY;
            """)
            .With("$registryId", registryId)
            .With("$dayAgo", now.AddHours(-24))
            .With("$weekAgo", now.AddDays(-7))
            .ListAsync(r => new RepositoryPullStats(
                r.GetString(0), r.GetInt64(1), r.GetNullableTime(2), r.GetInt64(3), r.GetInt64(4)), cancellationToken);
    }

    /// <summary>The start of the hour <paramref name="value"/> falls in, in UTC: one row per hour whatever the caller passes.</summary>
    private static DateTimeOffset TruncateToHour(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    private static UserRecord ReadUser(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.GetInt64(4), r.GetTime(5),
            r.IsDBNull(6) ? null : r.GetString(6), r.GetNullableTime(7));

    private static ProjectMembership ReadMembership(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ProjectRole)r.GetInt32(4));

    private static AccessTokenRecord ReadAccessToken(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetTime(4),
            r.GetNullableTime(5), r.GetNullableTime(6), r.GetNullableTime(7));
}
