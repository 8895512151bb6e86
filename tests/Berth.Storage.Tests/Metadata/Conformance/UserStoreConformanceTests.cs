using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IUserStore"/>: users, their passwords, project memberships and access tokens.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class UserStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task UsersAreCreatedFoundByNameAndIdAndListed()
    {
        var alice = new UserRecord("u1", "alice", "hash-a", false, 1, T0);
        var created = await Users.CreateUserAsync(alice, Ct);
        await Users.CreateUserAsync(new UserRecord("u2", "Bob", "hash-b", true, 7, T0.AddMinutes(1)), Ct);
        await Users.CreateUserAsync(new UserRecord("u3", "bob", "hash-c", false, 1, T0.AddMinutes(2)), Ct);

        Assert.Equal(alice, created);
        Assert.Equal(alice, await Users.GetUserAsync("alice", Ct));
        Assert.Equal(alice, await Users.GetUserByIdAsync("u1", Ct));
        Assert.Equal(new UserRecord("u2", "Bob", "hash-b", true, 7, T0.AddMinutes(1)), await Users.GetUserAsync("Bob", Ct));

        // Exact comparison: the service layer lowercases, the store does not fold case.
        Assert.Null(await Users.GetUserAsync("Alice", Ct));
        Assert.Equal("u3", (await Users.GetUserAsync("bob", Ct))?.Id);
        Assert.Null(await Users.GetUserAsync("carol", Ct));
        Assert.Null(await Users.GetUserByIdAsync("alice", Ct));
        Assert.Equal(["Bob", "alice", "bob"], (await Users.ListUsersAsync(Ct)).Select(u => u.Username));
    }

    [Fact]
    public async Task ADuplicateUsernameIsAConflict()
    {
        await Users.CreateUserAsync(new UserRecord("u1", "alice", "hash", false, 1, T0), Ct);

        await Assert.ThrowsAsync<MetadataConflictException>(
            () => Users.CreateUserAsync(new UserRecord("u2", "alice", "other", true, 1, T0), Ct));
        Assert.Equal(["u1"], (await Users.ListUsersAsync(Ct)).Select(u => u.Id));
    }

    [Fact]
    public async Task ChangingAPasswordMovesTheSecurityStampOn()
    {
        var user = await Users.CreateUserAsync(new UserRecord("u1", "alice", "old-hash", false, 5, T0), Ct);

        Assert.Equal(6, await Users.SetUserPasswordAsync("u1", "new-hash", T0.AddHours(1), Ct));
        Assert.Equal(user with { PasswordHash = "new-hash", SecurityStamp = 6, PreviousPasswordHash = "old-hash", PasswordChangedAt = T0.AddHours(1) },
            await Users.GetUserByIdAsync("u1", Ct));
        Assert.Equal(7, await Users.SetUserPasswordAsync("u1", "newer-hash", T0.AddHours(2), Ct));
        Assert.Equal(("newer-hash", "new-hash", T0.AddHours(2)), (await Users.GetUserAsync("alice", Ct)) is { } u
            ? (u.PasswordHash, u.PreviousPasswordHash, u.PasswordChangedAt) : default);
        Assert.Null(await Users.SetUserPasswordAsync("missing", "hash", T0, Ct));
    }

    [Fact]
    public async Task UpgradingAPasswordHashKeepsTheStampAndLosesToAConcurrentChange()
    {
        var user = await Users.CreateUserAsync(new UserRecord("u1", "alice", "weak-hash", false, 5, T0), Ct);

        Assert.True(await Users.UpgradeUserPasswordHashAsync("u1", "weak-hash", "strong-hash", Ct));
        Assert.Equal(user with { PasswordHash = "strong-hash" }, await Users.GetUserByIdAsync("u1", Ct));

        // The hash it was computed from is gone (here: upgraded already; in life: a password change): nothing is written.
        Assert.False(await Users.UpgradeUserPasswordHashAsync("u1", "weak-hash", "other-hash", Ct));
        Assert.Equal(6, await Users.SetUserPasswordAsync("u1", "changed-hash", T0, Ct));
        Assert.False(await Users.UpgradeUserPasswordHashAsync("u1", "strong-hash", "stale-hash", Ct));
        Assert.Equal(user with { PasswordHash = "changed-hash", SecurityStamp = 6, PreviousPasswordHash = "strong-hash", PasswordChangedAt = T0 },
            await Users.GetUserByIdAsync("u1", Ct));
        Assert.False(await Users.UpgradeUserPasswordHashAsync("missing", "changed-hash", "x", Ct));
    }

    [Fact]
    public async Task MembershipsAreSetChangedRemovedAndListedBothWaysWithNames()
    {
        await Tenants.CreateProjectAsync("p1", "zeta", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p3", "globex", T0, Ct);
        await Users.CreateUserAsync(new UserRecord("u1", "carol", "hash", false, 1, T0), Ct);
        await Users.CreateUserAsync(new UserRecord("u2", "alice", "hash", false, 1, T0), Ct);

        await Users.SetMembershipAsync("p1", "u1", ProjectRole.Viewer, Ct);
        await Users.SetMembershipAsync("p2", "u1", ProjectRole.Developer, Ct);
        await Users.SetMembershipAsync("p1", "u2", ProjectRole.Owner, Ct);
        await Users.SetMembershipAsync("p1", "u1", ProjectRole.Developer, Ct);

        Assert.Equal(
            [new ProjectMembership("p2", "acme", "u1", "carol", ProjectRole.Developer), new ProjectMembership("p1", "zeta", "u1", "carol", ProjectRole.Developer)],
            await Users.ListMembershipsOfUserAsync("u1", Ct));
        Assert.Equal(
            [new ProjectMembership("p1", "zeta", "u2", "alice", ProjectRole.Owner), new ProjectMembership("p1", "zeta", "u1", "carol", ProjectRole.Developer)],
            await Users.ListProjectMembersAsync("p1", Ct));
        Assert.Empty(await Users.ListProjectMembersAsync("p3", Ct));

        Assert.True(await Users.RemoveMembershipAsync("p1", "u1", Ct));
        Assert.False(await Users.RemoveMembershipAsync("p1", "u1", Ct));
        Assert.False(await Users.RemoveMembershipAsync("p3", "u2", Ct));
        Assert.Equal(["acme"], (await Users.ListMembershipsOfUserAsync("u1", Ct)).Select(m => m.ProjectName));
        Assert.Equal(["alice"], (await Users.ListProjectMembersAsync("p1", Ct)).Select(m => m.Username));
        Assert.Empty(await Users.ListMembershipsOfUserAsync("missing", Ct));
    }

    [Fact]
    public async Task AMembershipNeedsAnExistingProjectAndUser()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Users.CreateUserAsync(new UserRecord("u1", "alice", "hash", false, 1, T0), Ct);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => Users.SetMembershipAsync("missing", "u1", ProjectRole.Owner, Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Users.SetMembershipAsync("p1", "missing", ProjectRole.Owner, Ct));
        Assert.Empty(await Users.ListMembershipsOfUserAsync("u1", Ct));
        Assert.Empty(await Users.ListProjectMembersAsync("p1", Ct));
    }

    [Fact]
    public async Task AccessTokensAreCreatedReadListedNewestFirstRevokedAndTouched()
    {
        await Users.CreateUserAsync(new UserRecord("u1", "alice", "hash", false, 1, T0), Ct);
        await Users.CreateUserAsync(new UserRecord("u2", "bob", "hash", false, 1, T0), Ct);
        var ci = new AccessTokenRecord("t1", "u1", "ci", "secret-1", T0, T0.AddDays(30), null, null);
        var laptop = new AccessTokenRecord("t2", "u1", "laptop", "secret-2", T0.AddHours(1), null, null, null);
        var bobs = new AccessTokenRecord("t3", "u2", "ci", "secret-3", T0.AddHours(2), null, null, null);
        foreach (var token in new[] { ci, laptop, bobs })
        {
            await Users.CreateAccessTokenAsync(token, Ct);
        }

        Assert.Equal(ci, await Users.GetAccessTokenAsync("t1", Ct));
        Assert.Null(await Users.GetAccessTokenAsync("missing", Ct));
        Assert.Equal([laptop, ci], await Users.ListAccessTokensAsync("u1", Ct));
        Assert.Empty(await Users.ListAccessTokensAsync("missing", Ct));

        // Only the owner revokes, and only once; a revoked token stays listed.
        Assert.False(await Users.RevokeAccessTokenAsync("u2", "t1", T0.AddHours(3), Ct));
        Assert.False(await Users.RevokeAccessTokenAsync("u1", "missing", T0.AddHours(3), Ct));
        Assert.True(await Users.RevokeAccessTokenAsync("u1", "t1", T0.AddHours(3), Ct));
        Assert.False(await Users.RevokeAccessTokenAsync("u1", "t1", T0.AddHours(4), Ct));
        Assert.Equal(ci with { RevokedAt = T0.AddHours(3) }, await Users.GetAccessTokenAsync("t1", Ct));
        Assert.Equal([laptop, ci with { RevokedAt = T0.AddHours(3) }], await Users.ListAccessTokensAsync("u1", Ct));

        // Touches keep the latest use, whatever order they arrive in.
        await Users.TouchAccessTokenAsync("t2", T0.AddHours(5), Ct);
        Assert.Equal(laptop with { LastUsedAt = T0.AddHours(5) }, await Users.GetAccessTokenAsync("t2", Ct));
        await Users.TouchAccessTokenAsync("t2", T0.AddHours(4), Ct);
        Assert.Equal(T0.AddHours(5), (await Users.GetAccessTokenAsync("t2", Ct))?.LastUsedAt);
        await Users.TouchAccessTokenAsync("t2", T0.AddHours(6), Ct);
        Assert.Equal(T0.AddHours(6), (await Users.GetAccessTokenAsync("t2", Ct))?.LastUsedAt);
        await Users.TouchAccessTokenAsync("missing", T0, Ct);
        Assert.Equal(bobs, await Users.GetAccessTokenAsync("t3", Ct));
    }

    [Fact]
    public async Task AnAccessTokenNeedsAnExistingUserAndAFreshId()
    {
        await Users.CreateUserAsync(new UserRecord("u1", "alice", "hash", false, 1, T0), Ct);
        await Users.CreateAccessTokenAsync(new AccessTokenRecord("t1", "u1", "ci", "secret", T0, null, null, null), Ct);

        await Assert.ThrowsAsync<KeyNotFoundException>(
            () => Users.CreateAccessTokenAsync(new AccessTokenRecord("t2", "missing", "ci", "secret", T0, null, null, null), Ct));
        await Assert.ThrowsAsync<MetadataConflictException>(
            () => Users.CreateAccessTokenAsync(new AccessTokenRecord("t1", "u1", "again", "other", T0, null, null, null), Ct));
        Assert.Null(await Users.GetAccessTokenAsync("t2", Ct));
        Assert.Equal("ci", (await Users.GetAccessTokenAsync("t1", Ct))?.Name);
    }
}
