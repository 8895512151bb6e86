using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IFederationStore"/>: the federation rules of registries.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class FederationStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task ARuleIsStoredWithEveryFieldAndListedOldestFirst()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var claims = new Dictionary<string, string> { ["repository"] = "acme/app", ["ref"] = "refs/heads/*", ["quote\"d"] = "ü\\" };
        var created = await Federation.CreateFederationRuleAsync(
            Rule("f1", registry.Id, "gha-main", T0.AddMinutes(1)) with { Claims = claims, Scopes = ["pull", "push"], Repositories = ["app/*", "**/base"] },
            10, Ct);
        await Federation.CreateFederationRuleAsync(Rule("f0", registry.Id, "gitlab", T0), 10, Ct);

        Assert.NotNull(created);
        AssertRule(created, "f1", registry.Id, "gha-main", claims, ["pull", "push"], ["app/*", "**/base"], null);
        AssertRule((await Federation.GetFederationRuleAsync("f1", Ct))!, "f1", registry.Id, "gha-main", claims, ["pull", "push"], ["app/*", "**/base"], null);
        Assert.Equal(T0.AddMinutes(1), created.CreatedAt);
        Assert.Equal("admin", created.CreatedBy);
        Assert.Equal(30, created.TokenLifetimeMinutes);
        Assert.Equal("https://issuer.example/f1", created.Issuer);
        Assert.Equal("berth", created.Audience);
        Assert.Equal(["f0", "f1"], (await Federation.ListFederationRulesAsync(registry.Id, Ct)).Select(r => r.Id));
        Assert.Empty((await Federation.GetFederationRuleAsync("f0", Ct))!.Claims);
        Assert.Null(await Federation.GetFederationRuleAsync("missing", Ct));
    }

    [Fact]
    public async Task NamesAreUniquePerRegistryOnly()
    {
        var web = await NewRegistryAsync("acme", "web");
        var api = await NewRegistryAsync("acme", "api");
        await Federation.CreateFederationRuleAsync(Rule("f1", web.Id, "ci", T0), 10, Ct);

        await Assert.ThrowsAsync<MetadataConflictException>(() => Federation.CreateFederationRuleAsync(Rule("f2", web.Id, "ci", T0), 10, Ct));
        Assert.NotNull(await Federation.CreateFederationRuleAsync(Rule("f3", api.Id, "ci", T0), 10, Ct));
        Assert.Equal(["f1"], (await Federation.ListFederationRulesAsync(web.Id, Ct)).Select(r => r.Id));
        Assert.Equal(["f3"], (await Federation.ListFederationRulesAsync(api.Id, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task ARegistryHoldsAtMostTheLimitOfRules()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.NotNull(await Federation.CreateFederationRuleAsync(Rule("f1", registry.Id, "a", T0), 2, Ct));
        Assert.NotNull(await Federation.CreateFederationRuleAsync(Rule("f2", registry.Id, "b", T0), 2, Ct));

        Assert.Null(await Federation.CreateFederationRuleAsync(Rule("f3", registry.Id, "c", T0), 2, Ct));
        Assert.Equal(2, (await Federation.ListFederationRulesAsync(registry.Id, Ct)).Count);

        // A delete makes room again.
        Assert.True(await Federation.DeleteFederationRuleAsync(registry.Id, "f1", Ct));
        Assert.NotNull(await Federation.CreateFederationRuleAsync(Rule("f3", registry.Id, "c", T0), 2, Ct));
    }

    [Fact]
    public async Task ARuleOfAMissingOrDeletedRegistryIsRefused()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Federation.CreateFederationRuleAsync(Rule("f1", "missing", "ci", T0), 10, Ct));

        var registry = await NewRegistryAsync("acme", "web");
        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0, Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Federation.CreateFederationRuleAsync(Rule("f1", registry.Id, "ci", T0), 10, Ct));
    }

    [Fact]
    public async Task ADeleteTakesOnlyTheRegistrysOwnRule()
    {
        var web = await NewRegistryAsync("acme", "web");
        var api = await NewRegistryAsync("acme", "api");
        await Federation.CreateFederationRuleAsync(Rule("f1", web.Id, "ci", T0), 10, Ct);

        Assert.False(await Federation.DeleteFederationRuleAsync(api.Id, "f1", Ct));
        Assert.NotNull(await Federation.GetFederationRuleAsync("f1", Ct));
        Assert.True(await Federation.DeleteFederationRuleAsync(web.Id, "f1", Ct));
        Assert.Null(await Federation.GetFederationRuleAsync("f1", Ct));
        Assert.False(await Federation.DeleteFederationRuleAsync(web.Id, "f1", Ct));
    }

    [Fact]
    public async Task ATouchRecordsTheLastUseAndTellsTheFirst()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Federation.CreateFederationRuleAsync(Rule("f1", registry.Id, "ci", T0), 10, Ct);

        Assert.True(await Federation.TouchFederationRuleAsync("f1", T0.AddHours(1), Ct));
        Assert.Equal(T0.AddHours(1), (await Federation.GetFederationRuleAsync("f1", Ct))!.LastUsedAt);
        Assert.False(await Federation.TouchFederationRuleAsync("f1", T0.AddHours(2), Ct));
        Assert.Equal(T0.AddHours(2), (await Federation.ListFederationRulesAsync(registry.Id, Ct)).Single().LastUsedAt);
        Assert.False(await Federation.TouchFederationRuleAsync("missing", T0, Ct));
    }

    [Fact]
    public async Task RulesGoWithTheirPurgedRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Federation.CreateFederationRuleAsync(Rule("f1", registry.Id, "ci", T0), 10, Ct);

        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0, Ct));
        await PurgeRegistryAsync(registry.Id, 100);

        Assert.Equal(0, await CountRowsAsync("federation_rules"));
    }

    private static FederationRuleRecord Rule(string id, string registryId, string name, DateTimeOffset createdAt) =>
        new(id, registryId, name, "https://issuer.example/" + id, "berth", new Dictionary<string, string>(), ["pull"], [], 30, createdAt, "admin", null);

    private static void AssertRule(FederationRuleRecord rule, string id, string registryId, string name, IReadOnlyDictionary<string, string> claims,
        string[] scopes, string[] repositories, DateTimeOffset? lastUsedAt)
    {
        Assert.Equal((id, registryId, name, lastUsedAt), (rule.Id, rule.RegistryId, rule.Name, rule.LastUsedAt));
        Assert.Equal(claims.OrderBy(c => c.Key, StringComparer.Ordinal), rule.Claims.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Equal(scopes, rule.Scopes);
        Assert.Equal(repositories, rule.Repositories);
    }
}
