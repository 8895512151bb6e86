using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of the keyset-paged lists (registries, repositories, the audit log): order and ties, search, cursors
/// that survive their token form, the end of the list, and cursors that are not the list's.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class PagingConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    // ---- registries

    [Fact]
    public async Task RegistriesArePagedByNameBothWaysWithinTheirProject()
    {
        string[] names = ["delta", "alpha", "echo", "charlie", "bravo"];
        foreach (var name in names)
        {
            await NewRegistryAsync("acme", name);
        }

        await NewRegistryAsync("globex", "aardvark");
        var deleted = await NewRegistryAsync("acme", "zulu");
        Assert.True(await Tenants.DeleteRegistryAsync(deleted.Id, T0, Ct));

        var ascending = await AllRegistryPagesAsync("id-acme", ListSort.Ascending(ListSort.NameKey), limit: 2);
        Assert.Equal([["alpha", "bravo"], ["charlie", "delta"], ["echo"]], ascending);
        var descending = await AllRegistryPagesAsync("id-acme", ListSort.Descend(ListSort.NameKey), limit: 2);
        Assert.Equal([["echo", "delta"], ["charlie", "bravo"], ["alpha"]], descending);
    }

    [Fact]
    public async Task RegistriesSortedByCreationBreakTiesByIdInTheSameDirection()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        // Ids in another order than names; three share a creation time.
        (string Id, string Name, int Minute)[] rows = [("r3", "one", 5), ("r1", "two", 5), ("r2", "three", 5), ("r0", "four", 9), ("r9", "five", 1)];
        foreach (var (id, name, minute) in rows)
        {
            await Tenants.CreateRegistryAsync(new NewRegistry(id, name, "p1", "hash", 1000, T0.AddMinutes(minute)), Ct);
        }

        var ascending = await AllRegistryPagesAsync("p1", ListSort.Ascending(ListSort.CreatedKey), limit: 2);
        Assert.Equal(["five", "two", "three", "one", "four"], ascending.SelectMany(p => p));
        var descending = await AllRegistryPagesAsync("p1", ListSort.Descend(ListSort.CreatedKey), limit: 2);
        Assert.Equal(["four", "one", "three", "two", "five"], descending.SelectMany(p => p));
    }

    [Fact]
    public async Task ARegistryPageCarriesEachRegistrysUsage()
    {
        var web = await NewRegistryAsync("acme", "web");
        await NewRegistryAsync("acme", "empty");
        var app = await Artifacts.EnsureRepositoryAsync(web.Id, "app", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(web.Id, "db", T0, Ct);
        await Artifacts.AddBlobAsync(web.Id, app.Id, Digest("a"), 40, T0, null, Ct);
        await Artifacts.AddBlobAsync(web.Id, app.Id, Digest("b"), 2, T0, null, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", web.Id, "app", 5, T0, T0), 5, 10, Ct);

        var page = await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(10, ListSort.Ascending(ListSort.NameKey)), Ct);

        Assert.Equal(["empty", "web"], page.Items.Select(r => r.Registry.Name));
        Assert.Equal(new RegistryUsage(0, 0, 0), page.Items[0].Usage);
        Assert.Equal(await Artifacts.GetUsageAsync(web.Id, Ct), page.Items[1].Usage);
        Assert.Equal(new RegistryRecord(web.Id, "web", "id-acme", "acme", web.StorageLimitBytes, T0), page.Items[1].Registry);
        Assert.Equal(2, page.Items[1].Usage.RepositoryCount);
        Assert.Equal(42, page.Items[1].Usage.StorageUsageBytes);
    }

    [Fact]
    public async Task RegistriesAreSearchedByASubstringOfTheirNameAndPagedWithinTheMatches()
    {
        foreach (var name in new[] { "web-api", "api", "apiary", "web", "rapid", "ops" })
        {
            await NewRegistryAsync("acme", name);
        }

        var pages = await AllRegistryPagesAsync("id-acme", ListSort.Ascending(ListSort.NameKey), limit: 2, search: "API");
        Assert.Equal([["api", "apiary"], ["rapid", "web-api"]], pages);
        Assert.Empty((await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(10, ListSort.Ascending(ListSort.NameKey), Search: "zzz"), Ct)).Items);
    }

    [Fact]
    public async Task APageAfterTheLastItemIsEmptyAndHasNoMore()
    {
        await NewRegistryAsync("acme", "web");
        var sort = ListSort.Ascending(ListSort.CreatedKey);
        var first = await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(1, sort), Ct);
        Assert.False(first.HasMore);
        Assert.Null(first.Next);

        var beyond = await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(1, sort, first.Last), Ct);

        Assert.Empty(beyond.Items);
        Assert.False(beyond.HasMore);
        Assert.Null(beyond.First);
        Assert.Null(beyond.Last);
    }

    [Fact]
    public async Task AReversedReadBeforeAPagesFirstItemIsThePreviousPage()
    {
        foreach (var name in new[] { "a1", "a2", "a3", "a4", "a5" })
        {
            await NewRegistryAsync("acme", name);
        }

        var sort = ListSort.Ascending(ListSort.NameKey);
        var second = await Tenants.ListRegistriesAsync("id-acme",
            new ListPageRequest(2, sort, (await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(2, sort), Ct)).Next), Ct);
        Assert.Equal(["a3", "a4"], second.Items.Select(r => r.Registry.Name));

        var previous = await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(2, sort.Reversed, second.First), Ct);

        Assert.Equal(["a2", "a1"], previous.Items.Select(r => r.Registry.Name));
        Assert.False(previous.HasMore);
    }

    [Fact]
    public async Task ACursorOfAnotherSortOrOneThatDoesNotParseIsRefused()
    {
        await NewRegistryAsync("acme", "web");
        await NewRegistryAsync("acme", "api");
        var byName = await Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(1, ListSort.Ascending(ListSort.NameKey)), Ct);

        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(1, ListSort.Ascending(ListSort.CreatedKey), byName.Next), Ct));
        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            Tenants.ListRegistriesAsync("id-acme", new ListPageRequest(1, ListSort.Ascending(ListSort.CreatedKey), new ListCursor(ListSort.CreatedKey, "web", "id-web")), Ct));
        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            Artifacts.ListRepositorySummariesAsync("id-web", new ListPageRequest(1, ListSort.Ascending(ListSort.UpdatedKey), ListCursor.Of(ListSort.UpdatedKey, T0, "x")), Ct));
        Assert.Throws<InvalidCursorException>(() => ListCursor.Decode("not a cursor!"));
        Assert.Throws<InvalidCursorException>(() => ListCursor.Decode("YWJj"));
    }

    [Fact]
    public async Task RegistriesAreCountedPerProjectInOneCallAndLiveOnesPickedOut()
    {
        var web = await NewRegistryAsync("acme", "web");
        await NewRegistryAsync("acme", "api");
        var gone = await NewRegistryAsync("acme", "old");
        await NewRegistryAsync("globex", "ops");
        await Tenants.CreateProjectAsync("id-empty", "empty", T0, Ct);
        Assert.True(await Tenants.DeleteRegistryAsync(gone.Id, T0, Ct));

        var counts = await Tenants.CountRegistriesAsync(["id-acme", "id-globex", "id-empty"], Ct);

        Assert.Equal(2, counts["id-acme"]);
        Assert.Equal(1, counts["id-globex"]);
        Assert.False(counts.ContainsKey("id-empty"));
        Assert.Empty(await Tenants.CountRegistriesAsync([], Ct));
        Assert.Equal([web.Id], await Tenants.GetLiveRegistryIdsAsync([web.Id, gone.Id, "nope"], Ct));
    }

    // ---- repositories

    [Fact]
    public async Task RepositoriesArePagedByNameWithTheirFiguresAndPulls()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("acme", "other");
        await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "team/app", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var gone = await Artifacts.EnsureRepositoryAsync(registry.Id, "gone", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "zeta", T0, Ct);
        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, gone.Id, T0, Ct));
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("layer"), 7, T0, null, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(app.Id, manifest, [new ManifestLink(Digest("layer"), false, 7)], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, manifest, [], null, "v2", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m2"), [], null, null, T0, Ct);
        await PullStats.RecordPullsAsync([new PullCount(app.Id, manifest.Digest, Hour, 3, Now)], Ct);

        var first = await Artifacts.ListRepositorySummariesAsync(registry.Id, new ListPageRequest(2, ListSort.Ascending(ListSort.NameKey)), Ct);
        var second = await Artifacts.ListRepositorySummariesAsync(registry.Id,
            new ListPageRequest(2, ListSort.Ascending(ListSort.NameKey), ListCursor.Decode(first.Next!.Encode())), Ct);

        Assert.Equal(["db", "team/app"], first.Items.Select(r => r.Summary.Name));
        Assert.True(first.HasMore);
        Assert.Equal(["zeta"], second.Items.Select(r => r.Summary.Name));
        Assert.False(second.HasMore);
        var listed = first.Items[1];
        var unpaged = (await Artifacts.ListRepositorySummariesAsync(registry.Id, Ct)).Single(s => s.Name == "team/app");
        Assert.Equal(unpaged, listed.Summary);
        Assert.Equal((2, 2, 7L), (listed.Summary.TagCount, listed.Summary.ManifestCount, listed.Summary.SizeBytes));
        Assert.Equal(3, listed.PullCount);
        Assert.Equal(Now, listed.LastPulledAt);
        Assert.Equal(new RepositoryListing(new RepositorySummary("db", 0, 0, 0, T0, T0), 0, null), first.Items[0]);
    }

    [Fact]
    public async Task RepositoriesSortedByUpdateBreakTiesByIdAndAreSearchedLiterally()
    {
        var registry = await NewRegistryAsync("acme", "web");
        // Created in this order (ids ascending); b_x and a%y share an update time.
        await Artifacts.EnsureRepositoryAsync(registry.Id, "b_x", T0.AddMinutes(2), Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "a%y", T0.AddMinutes(2), Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "bax", T0.AddMinutes(1), Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "c", T0.AddMinutes(3), Ct);

        var newest = await AllRepositoryPagesAsync(registry.Id, ListSort.Descend(ListSort.UpdatedKey), limit: 1);
        Assert.Equal(["c", "a%y", "b_x", "bax"], newest);
        var oldest = await AllRepositoryPagesAsync(registry.Id, ListSort.Ascending(ListSort.UpdatedKey), limit: 3);
        Assert.Equal(["bax", "b_x", "a%y", "c"], oldest);

        // '_' and '%' are characters to find, not wildcards.
        Assert.Equal(["b_x"], await AllRepositoryPagesAsync(registry.Id, ListSort.Ascending(ListSort.NameKey), limit: 5, search: "_"));
        Assert.Equal(["a%y"], await AllRepositoryPagesAsync(registry.Id, ListSort.Ascending(ListSort.NameKey), limit: 5, search: "%"));
    }

    [Fact]
    public async Task TheLatestTagOfEachNamedRepositoryIsReadInOneCall()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "untagged", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m1"), [], null, "zz-old", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m2"), [], null, "aa-new", T0.AddMinutes(5), Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m3"), [], null, "mm-mid", T0.AddMinutes(2), Ct);
        await Artifacts.PutManifestAsync(db.Id, Manifest("m4"), [], null, "15", T0, Ct);

        var latest = await Artifacts.GetLatestTagsAsync(registry.Id, ["app", "untagged", "db", "missing"], Ct);

        Assert.Equal(new Dictionary<string, string> { ["app"] = "aa-new", ["db"] = "15" }, latest);
        Assert.Empty(await Artifacts.GetLatestTagsAsync(registry.Id, [], Ct));
    }

    // ---- audit log

    [Fact]
    public async Task TheAuditLogIsPagedNewestFirstPerProjectOrRegistryAndSearched()
    {
        var web = await NewRegistryAsync("acme", "web");
        for (var i = 0; i < 5; i++)
        {
            await Lifecycle.AppendAuditAsync(Event(i, i % 2 == 0 ? web : null, i == 3 ? "registry.deleted" : "registry.resized"), Ct);
        }

        await Lifecycle.AppendAuditAsync(Event(9, null, "registry.created") with { ProjectId = "id-globex", ProjectName = "globex" }, Ct);
        var newest = ListSort.Descend(ListSort.AtKey);

        var pages = new List<List<string?>>();
        ListCursor? after = null;
        do
        {
            var page = await Lifecycle.ListAuditAsync("id-acme", null, new ListPageRequest(2, newest, after is null ? null : ListCursor.Decode(after.Encode())), Ct);
            pages.Add(page.Items.Select(e => e.Detail).ToList());
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal([["4", "3"], ["2", "1"], ["0"]], pages);
        Assert.Equal(["4", "2", "0"], (await Lifecycle.ListAuditAsync("id-acme", web.Id, new ListPageRequest(10, newest), Ct)).Items.Select(e => e.Detail));
        Assert.Equal(["3"], (await Lifecycle.ListAuditAsync("id-acme", null, new ListPageRequest(10, newest, Search: "deleted"), Ct)).Items.Select(e => e.Detail));
        Assert.Equal(["4", "2", "0"], (await Lifecycle.ListAuditAsync("id-acme", null, new ListPageRequest(10, newest, Search: "web"), Ct)).Items.Select(e => e.Detail));
        var oldestFirst = await Lifecycle.ListAuditAsync("id-acme", null, new ListPageRequest(2, newest.Reversed), Ct);
        Assert.Equal(["0", "1"], oldestFirst.Items.Select(e => e.Detail));
    }

    private static AuditEvent Event(int i, RegistryRecord? registry, string action) =>
        new(T0.AddMinutes(i), "admin", action, "id-acme", "acme", registry?.Id, registry?.Name, "10.0.0.1", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Every page of a project's registries, following each page's cursor in its token form.</summary>
    private async Task<List<List<string>>> AllRegistryPagesAsync(string projectId, ListSort sort, int limit, string? search = null)
    {
        var pages = new List<List<string>>();
        ListCursor? after = null;
        do
        {
            var page = await Tenants.ListRegistriesAsync(projectId, new ListPageRequest(limit, sort, after, search), Ct);
            Assert.True(page.Items.Count <= limit);
            pages.Add(page.Items.Select(r => r.Registry.Name).ToList());
            after = page.Next is null ? null : ListCursor.Decode(page.Next.Encode());
            Assert.True(pages.Count < 100, "paging does not end");
        }
        while (after is not null);

        return pages;
    }

    private async Task<List<string>> AllRepositoryPagesAsync(string registryId, ListSort sort, int limit, string? search = null)
    {
        var names = new List<string>();
        ListCursor? after = null;
        do
        {
            var page = await Artifacts.ListRepositorySummariesAsync(registryId, new ListPageRequest(limit, sort, after, search), Ct);
            Assert.True(page.Items.Count <= limit);
            names.AddRange(page.Items.Select(r => r.Summary.Name));
            after = page.Next is null ? null : ListCursor.Decode(page.Next.Encode());
            Assert.True(names.Count < 100, "paging does not end");
        }
        while (after is not null);

        return names;
    }
}
