namespace Berth.Core.Metadata;

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
