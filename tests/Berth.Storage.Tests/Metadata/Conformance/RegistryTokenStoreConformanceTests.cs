using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IRegistryTokenStore"/>: access tokens of registries, their revocation (one, or all with
/// the password) and use tracking. Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class RegistryTokenStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task ATokenIsStoredFoundWithItsRegistryNameAndListedNewestFirst()
    {
        await AddRegistryAsync("r1", "web");
        await AddRegistryAsync("r2", "api");
        var pull = Token("t1", "r1", "k8s-prod", T0) with { Repositories = ["api/*", "lib/**"], ExpiresAt = T0.AddDays(90), CreatedBy = "alice" };
        var push = Token("t2", "r1", "ci", T0.AddMinutes(1)) with { Scopes = "pull,push" };
        await RegistryTokens.CreateRegistryTokenAsync(pull, Ct);
        await RegistryTokens.CreateRegistryTokenAsync(push, Ct);
        await RegistryTokens.CreateRegistryTokenAsync(Token("t3", "r2", "ci", T0), Ct);

        var found = await RegistryTokens.GetRegistryTokenAsync("t1", Ct);
        Assert.Equal("web", found?.RegistryName);
        Assert.Equivalent(pull, found?.Token, strict: true);
        Assert.Null(await RegistryTokens.GetRegistryTokenAsync("missing", Ct));

        Assert.Equal(["t2", "t1"], (await RegistryTokens.ListRegistryTokensAsync("r1", 10, Ct)).Select(t => t.Id));
        Assert.Equal(["t2"], (await RegistryTokens.ListRegistryTokensAsync("r1", 1, Ct)).Select(t => t.Id));
        Assert.Empty((await RegistryTokens.GetRegistryTokenAsync("t2", Ct))!.Token.Repositories);
    }

    [Fact]
    public async Task NamesAreUniqueAmongLiveTokensOfARegistryOnly()
    {
        await AddRegistryAsync("r1", "web");
        await AddRegistryAsync("r2", "api");
        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "ci", T0), Ct);

        await Assert.ThrowsAsync<MetadataConflictException>(() => RegistryTokens.CreateRegistryTokenAsync(Token("t2", "r1", "ci", T0), Ct));
        await RegistryTokens.CreateRegistryTokenAsync(Token("t3", "r2", "ci", T0), Ct);

        // Revoked, the name is free again; the revoked token stays (revocation is final) but is no longer listed.
        Assert.True(await RegistryTokens.RevokeRegistryTokenAsync("r1", "t1", T0.AddHours(1), Ct));
        await RegistryTokens.CreateRegistryTokenAsync(Token("t4", "r1", "ci", T0.AddHours(2)), Ct);
        Assert.Equal(["t4"], (await RegistryTokens.ListRegistryTokensAsync("r1", 10, Ct)).Select(t => t.Id));
        Assert.Equal(T0.AddHours(1), (await RegistryTokens.GetRegistryTokenAsync("t1", Ct))?.Token.RevokedAt);
    }

    [Fact]
    public async Task ATokenForARegistryThatIsGoneIsRefusedAndADeletedRegistryHidesItsTokens()
    {
        await AddRegistryAsync("r1", "web");
        await Assert.ThrowsAsync<KeyNotFoundException>(() => RegistryTokens.CreateRegistryTokenAsync(Token("t1", "missing", "ci", T0), Ct));

        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "ci", T0), Ct);
        Assert.True(await Tenants.DeleteRegistryAsync("r1", T0, Ct));

        Assert.Null(await RegistryTokens.GetRegistryTokenAsync("t1", Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => RegistryTokens.CreateRegistryTokenAsync(Token("t2", "r1", "other", T0), Ct));
    }

    [Fact]
    public async Task RevokingNeedsTheRightRegistryAndHappensOnce()
    {
        await AddRegistryAsync("r1", "web");
        await AddRegistryAsync("r2", "api");
        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "ci", T0), Ct);

        Assert.False(await RegistryTokens.RevokeRegistryTokenAsync("r2", "t1", T0, Ct));
        Assert.False(await RegistryTokens.RevokeRegistryTokenAsync("r1", "missing", T0, Ct));
        Assert.True(await RegistryTokens.RevokeRegistryTokenAsync("r1", "t1", T0.AddMinutes(5), Ct));
        Assert.False(await RegistryTokens.RevokeRegistryTokenAsync("r1", "t1", T0.AddMinutes(9), Ct));
        Assert.Equal(T0.AddMinutes(5), (await RegistryTokens.GetRegistryTokenAsync("t1", Ct))?.Token.RevokedAt);
    }

    [Fact]
    public async Task RevokeAllReplacesThePasswordAndRevokesEveryLiveTokenOfThatRegistryOnly()
    {
        await AddRegistryAsync("r1", "web");
        await AddRegistryAsync("r2", "api");
        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "a", T0), Ct);
        await RegistryTokens.CreateRegistryTokenAsync(Token("t2", "r1", "b", T0), Ct);
        await RegistryTokens.CreateRegistryTokenAsync(Token("t3", "r1", "c", T0), Ct);
        await RegistryTokens.CreateRegistryTokenAsync(Token("t4", "r2", "a", T0), Ct);
        Assert.True(await RegistryTokens.RevokeRegistryTokenAsync("r1", "t3", T0, Ct));
        var before = (await Tenants.GetCredentialStateAsync("r1", Ct))?.Generation;

        var revocation = await RegistryTokens.RevokeAllCredentialsAsync("r1", "new-hash", T0.AddHours(1), Ct);

        Assert.Equal(before + 1, revocation?.Generation);
        Assert.Equal(["t1", "t2"], revocation!.RevokedTokens.Select(t => t.Id).Order());
        Assert.All(revocation.RevokedTokens, t => Assert.Equal(T0.AddHours(1), t.RevokedAt));
        Assert.Equal(("new-hash", before + 1), (await Tenants.GetCredentialAsync("web", Ct)) is { } c ? (c.PasswordHash, c.Generation) : default);
        Assert.Empty(await RegistryTokens.ListRegistryTokensAsync("r1", 10, Ct));
        Assert.Equal(T0, (await RegistryTokens.GetRegistryTokenAsync("t3", Ct))?.Token.RevokedAt);
        Assert.Equal(["t4"], (await RegistryTokens.ListRegistryTokensAsync("r2", 10, Ct)).Select(t => t.Id));
        Assert.Null(await RegistryTokens.RevokeAllCredentialsAsync("missing", "x", T0, Ct));
    }

    [Fact]
    public async Task UseIsRecordedWithItsAddressAndNeverMovesBack()
    {
        await AddRegistryAsync("r1", "web");
        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "ci", T0), Ct);

        Assert.True(await RegistryTokens.TouchRegistryTokenAsync("t1", T0.AddHours(2), "10.0.0.2", Ct));
        Assert.False(await RegistryTokens.TouchRegistryTokenAsync("t1", T0.AddHours(1), "10.0.0.1", Ct));
        Assert.False(await RegistryTokens.TouchRegistryTokenAsync("t1", T0.AddHours(2), "10.0.0.3", Ct));

        var token = (await RegistryTokens.GetRegistryTokenAsync("t1", Ct))!.Token;
        Assert.Equal((T0.AddHours(2), "10.0.0.2"), (token.LastUsedAt, token.LastUsedFrom));
    }

    [Fact]
    public async Task DeletingTheRegistryRowRemovesItsTokens()
    {
        await AddRegistryAsync("r1", "web");
        await RegistryTokens.CreateRegistryTokenAsync(Token("t1", "r1", "ci", T0), Ct);
        Assert.True(await Tenants.DeleteRegistryAsync("r1", T0, Ct));

        while (await Tenants.PurgeRegistryAsync("r1", 100, Ct))
        {
        }

        Assert.Equal(0, await CountRowsAsync("registry_tokens"));
    }

    private async Task AddRegistryAsync(string id, string name)
    {
        if (await Tenants.GetProjectAsync("acme", Ct) is null)
        {
            await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        }

        await Tenants.CreateRegistryAsync(new NewRegistry(id, name, "p1", "hash", 1L << 30, T0), Ct);
    }

    private static RegistryTokenRecord Token(string id, string registryId, string name, DateTimeOffset createdAt) =>
        new(id, registryId, name, new string('a', 64), "pull", [], createdAt, null, null, null, null, null);
}
