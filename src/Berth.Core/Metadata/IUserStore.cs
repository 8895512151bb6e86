namespace Berth.Core.Metadata;

/// <summary>What a member may do in a project. Ordered: each role includes the ones below it.</summary>
public enum ProjectRole
{
    /// <summary>Browse the project's registries, repositories and scan data.</summary>
    Viewer = 1,

    /// <summary>Also push and pull through their own access tokens.</summary>
    Developer = 2,

    /// <summary>Also create, resize, reset the password of and delete registries, and manage members.</summary>
    Owner = 3,
}

/// <summary>
/// A dashboard/API user. <see cref="SecurityStamp"/> changes with the password (and on demand): sessions and cached
/// verifications made under an older stamp stop working. The hash of the password it replaced (and when) is kept so a
/// client still sending that one can be told why it fails.
/// </summary>
public sealed record UserRecord(
    string Id,
    string Username,
    string PasswordHash,
    bool IsAdmin,
    long SecurityStamp,
    DateTimeOffset CreatedAt,
    string? PreviousPasswordHash = null,
    DateTimeOffset? PasswordChangedAt = null);

public sealed record ProjectMembership(string ProjectId, string ProjectName, string UserId, string Username, ProjectRole Role);

/// <summary>
/// A personal access token. Only a hash of its secret is stored (SHA-256 suffices: the secret is 256 random bits,
/// so there is nothing to brute-force); the token itself is shown once at creation.
/// </summary>
public sealed record AccessTokenRecord(
    string Id,
    string UserId,
    string Name,
    string SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>Users, their project memberships and their personal access tokens.</summary>
public interface IUserStore
{
    /// <exception cref="MetadataConflictException">the username is taken</exception>
    Task<UserRecord> CreateUserAsync(UserRecord user, CancellationToken cancellationToken);

    Task<UserRecord?> GetUserAsync(string username, CancellationToken cancellationToken);

    Task<UserRecord?> GetUserByIdAsync(string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new password hash, keeps the replaced one as the previous password (changed at <paramref name="now"/>)
    /// and moves the security stamp on; returns the new stamp, or null when the user is gone.
    /// </summary>
    Task<long?> SetUserPasswordAsync(string userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the user's password hash with a costlier hash of the same password, only while the stored hash is still
    /// <paramref name="currentHash"/> (a password change made meanwhile wins). The security stamp stays: the password
    /// did not change, so sessions and cached verifications remain valid. False when nothing was replaced.
    /// </summary>
    Task<bool> UpgradeUserPasswordHashAsync(string userId, string currentHash, string newHash, CancellationToken cancellationToken);

    /// <summary>Adds the user to the project with the role, or changes their role.</summary>
    Task SetMembershipAsync(string projectId, string userId, ProjectRole role, CancellationToken cancellationToken);

    Task<bool> RemoveMembershipAsync(string projectId, string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectMembership>> ListMembershipsOfUserAsync(string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectMembership>> ListProjectMembersAsync(string projectId, CancellationToken cancellationToken);

    Task CreateAccessTokenAsync(AccessTokenRecord token, CancellationToken cancellationToken);

    Task<AccessTokenRecord?> GetAccessTokenAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>The user's tokens, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<AccessTokenRecord>> ListAccessTokensAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Revokes one of the user's tokens. False when the user has no such (unrevoked) token.</summary>
    Task<bool> RevokeAccessTokenAsync(string userId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that a token was used (callers throttle this; it is informational).</summary>
    Task TouchAccessTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken);
}
