using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of the paged and bounded reads of the management listings (artifact and tag pages, one manifest's
/// tags, children and indexes, per-page pulls and scans, registry totals). Every backend runs it: see
/// <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class ListingStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task ArtifactPagesWalkEveryManifestOnceNewestFirstWithItsTags()
    {
        var repository = await NewRepositoryAsync();
        var manifests = await PutManifestsAsync(repository, 7);
        await Artifacts.PutManifestAsync(repository.Id, manifests[0], [], null, "b-second", T0, Ct);

        var newestFirst = manifests
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Digest, StringComparer.Ordinal)
            .Select(m => m.Digest).ToList();
        var pages = await WalkAsync(after => Artifacts.ListArtifactPageAsync(repository.Id, Page(3, "-pushed", null, after), Ct));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(newestFirst, pages.SelectMany(p => p).Select(a => a.Manifest.Digest));

        var all = pages.SelectMany(p => p).ToDictionary(a => a.Manifest.Digest);
        Assert.Equal(["a-first", "b-second"], all[manifests[0].Digest].Tags);
        Assert.Empty(all[manifests[6].Digest].Tags);
        Assert.Equal(["t1"], all[manifests[1].Digest].Tags);
        Assert.Equal(manifests[1].Content, all[manifests[1].Digest].Manifest.Content);
        Assert.Equal(manifests[1].CreatedAt, all[manifests[1].Digest].Manifest.CreatedAt);

        var oldestFirst = await WalkAsync(after => Artifacts.ListArtifactPageAsync(repository.Id, Page(2, "pushed", null, after), Ct));
        Assert.Equal(newestFirst.AsEnumerable().Reverse(), oldestFirst.SelectMany(p => p).Select(a => a.Manifest.Digest));

        // Exactly a page: no next page announced.
        var exact = await Artifacts.ListArtifactPageAsync(repository.Id, Page(7, "-pushed"), Ct);
        Assert.Equal((7, null), (exact.Items.Count, exact.Next));
    }

    [Fact]
    public async Task AnArtifactSearchKeepsManifestsWithATagContainingItLiterallyAndCaseInsensitively()
    {
        var repository = await NewRepositoryAsync();
        var (release, underscore, other) = (Manifest("release"), Manifest("underscore"), Manifest("other"));
        await Artifacts.PutManifestAsync(repository.Id, release, [], null, "Release-1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, release, [], null, "stable", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, underscore, [], null, "rel_2", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, other, [], null, "relx2", T0, Ct);

        async Task<IEnumerable<string>> SearchAsync(string q) =>
            (await Artifacts.ListArtifactPageAsync(repository.Id, Page(10, "-pushed", q), Ct)).Items
                .Select(a => a.Manifest.Digest).Order(StringComparer.Ordinal);

        Assert.Equal([release.Digest], await SearchAsync("RELEASE"));
        Assert.Equal([underscore.Digest], await SearchAsync("_"));
        Assert.Empty(await SearchAsync("%"));
        Assert.Equal(new[] { release.Digest, underscore.Digest, other.Digest }.Order(StringComparer.Ordinal), await SearchAsync("e"));

        // A match shows all the manifest's tags.
        var found = Assert.Single((await Artifacts.ListArtifactPageAsync(repository.Id, Page(10, "-pushed", "stab"), Ct)).Items);
        Assert.Equal(["Release-1", "stable"], found.Tags);
    }

    [Fact]
    public async Task TagPagesWalkEveryTagOnceInEachSort()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m");

        // Names and update times in different orders; two share a time (ties by name).
        (string Name, int Minute)[] tags = [("delta", 1), ("alpha", 4), ("echo", 2), ("charlie", 2), ("bravo", 0)];
        foreach (var (name, minute) in tags)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, name, T0.AddMinutes(minute), Ct);
        }

        async Task<List<string>> WalkTagsAsync(string sort, string? q = null) =>
            (await WalkAsync(after => Artifacts.ListTagPageAsync(repository.Id, Page(2, sort, q, after), Ct))).SelectMany(p => p).Select(t => t.Name).ToList();

        Assert.Equal(["alpha", "bravo", "charlie", "delta", "echo"], await WalkTagsAsync("name"));
        Assert.Equal(["echo", "delta", "charlie", "bravo", "alpha"], await WalkTagsAsync("-name"));
        Assert.Equal(["bravo", "delta", "charlie", "echo", "alpha"], await WalkTagsAsync("updated"));
        Assert.Equal(["alpha", "echo", "charlie", "delta", "bravo"], await WalkTagsAsync("-updated"));
        Assert.Equal(["charlie", "echo"], await WalkTagsAsync("name", "CH"));

        var first = await Artifacts.ListTagPageAsync(repository.Id, Page(1, "updated"), Ct);
        Assert.Equal(new TagRecord("bravo", manifest.Digest, T0), Assert.Single(first.Items));
    }

    [Fact]
    public async Task ACursorOfAnotherSortIsRefused()
    {
        var repository = await NewRepositoryAsync();
        await PutManifestsAsync(repository, 3);
        var byName = (await Artifacts.ListTagPageAsync(repository.Id, Page(1, "name"), Ct)).Next!;
        var byPush = (await Artifacts.ListArtifactPageAsync(repository.Id, Page(1, "-pushed"), Ct)).Next!;

        await Assert.ThrowsAsync<InvalidCursorException>(() => Artifacts.ListTagPageAsync(repository.Id, Page(1, "updated", null, byName), Ct));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Artifacts.ListTagPageAsync(repository.Id, Page(1, "name", null, byPush), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Artifacts.ListArtifactPageAsync(repository.Id, Page(1, "name"), Ct));

        // The cursor survives its opaque form, and reads the other direction too (the dashboard's Previous).
        Assert.Equal(byPush, ListCursor.Decode(byPush.Encode()));
        var newestTwo = await Artifacts.ListArtifactPageAsync(repository.Id, Page(2, "-pushed"), Ct);
        var back = await Artifacts.ListArtifactPageAsync(repository.Id, Page(5, "pushed", null, newestTwo.Last), Ct);
        Assert.Equal(newestTwo.Items[0].Manifest.Digest, Assert.Single(back.Items).Manifest.Digest);
        Assert.Throws<InvalidCursorException>(() => ListCursor.Decode("***"));
    }

    [Fact]
    public async Task OneManifestsTagsChildrenAndIndexesAreReadByDigest()
    {
        var repository = await NewRepositoryAsync();
        var other = await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "other", T0, Ct);
        var (amd64, arm64, index) = (Manifest("amd64"), Manifest("arm64"), Manifest("index"));
        await Artifacts.PutManifestAsync(repository.Id, amd64, [], null, "z-amd64", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, amd64, [], null, "a-amd64", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, arm64, [], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, index,
            [new ManifestLink(amd64.Digest, true, amd64.Content.Length), new ManifestLink(arm64.Digest, true, arm64.Content.Length)], null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(other.Id, arm64, [], null, null, T0, Ct);

        Assert.Equal(["a-amd64", "z-amd64"], await Artifacts.ListManifestTagsAsync(repository.Id, amd64.Digest, Ct));
        Assert.Empty(await Artifacts.ListManifestTagsAsync(repository.Id, arm64.Digest, Ct));

        var found = await Artifacts.GetManifestsAsync(repository.Id, [amd64.Digest, index.Digest, Digest("missing")], Ct);
        Assert.Equal(new[] { amd64.Digest, index.Digest }.Order(StringComparer.Ordinal), found.Select(m => m.Digest).Order(StringComparer.Ordinal));
        Assert.Equal(index.Content, found.Single(m => m.Digest == index.Digest).Content);
        Assert.Empty(await Artifacts.GetManifestsAsync(repository.Id, [], Ct));

        var indexes = await Artifacts.ListIndexesOfAsync(repository.Id, [amd64.Digest, arm64.Digest, index.Digest], Ct);
        Assert.Equal(
            new[] { (amd64.Digest, index.Digest), (arm64.Digest, index.Digest) }.OrderBy(e => e.Item1, StringComparer.Ordinal),
            indexes.Select(e => (e.ChildDigest, e.Index.Digest)));
        Assert.Equal(index.Content, indexes[0].Index.Content);
        Assert.Empty(await Artifacts.ListIndexesOfAsync(other.Id, [arm64.Digest], Ct));

        // The index's platform images hang under it (ListDependentsAsync lists them): a page of artifacts has the index only.
        Assert.Equal([index.Digest], (await Artifacts.ListArtifactPageAsync(repository.Id, Page(10, "-pushed"), Ct)).Items.Select(a => a.Manifest.Digest));
        Assert.Equal([arm64.Digest], (await Artifacts.ListArtifactPageAsync(other.Id, Page(10, "-pushed"), Ct)).Items.Select(a => a.Manifest.Digest));
    }

    [Fact]
    public async Task RegistryCountsLeaveDeletedRepositoriesOut()
    {
        var repository = await NewRepositoryAsync();
        var doomed = await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "doomed", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "empty", T0, Ct);
        await PutManifestsAsync(repository, 3);
        await PutManifestsAsync(doomed, 2);
        var elsewhere = await NewRegistryAsync("acme", "elsewhere");
        await PutManifestsAsync(await Artifacts.EnsureRepositoryAsync(elsewhere.Id, "app", T0, Ct), 4);

        Assert.Equal(new RegistryContentCounts(3, 3, 5), await Artifacts.CountRegistryContentsAsync(repository.RegistryId, Ct));
        Assert.True(await Artifacts.DeleteRepositoryAsync(repository.RegistryId, doomed.Id, T0, Ct));
        Assert.Equal(new RegistryContentCounts(2, 2, 3), await Artifacts.CountRegistryContentsAsync(repository.RegistryId, Ct));
        Assert.Equal(new RegistryContentCounts(0, 0, 0), await Artifacts.CountRegistryContentsAsync("missing", Ct));
    }

    [Fact]
    public async Task PullsAndScansAreReadForTheAskedManifestsOnly()
    {
        var repository = await NewRepositoryAsync();
        var manifests = await PutManifestsAsync(repository, 3);
        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, manifests[0].Digest, Hour, 2, Now),
                new PullCount(repository.Id, manifests[0].Digest, Hour.AddHours(-1), 1, Hour.AddMinutes(-30)),
                new PullCount(repository.Id, manifests[1].Digest, Hour, 5, Now),
            ], Ct);
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[2].Digest, T0, Ct));

        Assert.Equal([new ManifestPullStats(manifests[0].Digest, 3, Now)],
            await PullStats.GetManifestPullStatsAsync(repository.Id, [manifests[0].Digest, manifests[2].Digest], Ct));
        Assert.Empty(await PullStats.GetManifestPullStatsAsync(repository.Id, [], Ct));

        var scans = await Scans.ListScansAsync(repository.Id, [manifests[0].Digest, manifests[1].Digest], Ct);
        Assert.Equal((manifests[1].Digest, ScanStatus.Queued), Assert.Single(scans.Select(s => (s.ManifestDigest, s.Status))));
        Assert.Empty(await Scans.ListScansAsync(repository.Id, [], Ct));
    }

    [Fact]
    public async Task ThePullSummaryTotalsTheRegistryAndListsTheMostRecentlyPulled()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repositories = new List<RepositoryRecord>();
        for (var i = 0; i < 4; i++)
        {
            var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, $"r{i}", T0, Ct);
            var manifest = Manifest($"m{i}");
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, "v1", T0, Ct);
            repositories.Add(repository);

            // r0 is pulled most recently; r3 eight days ago (outside both windows); r2 never.
            if (i != 2)
            {
                var hour = i == 3 ? Hour.AddDays(-8) : Hour.AddHours(-i);
                await PullStats.RecordPullsAsync([new PullCount(repository.Id, manifest.Digest, hour, 10 + i, hour.AddMinutes(5))], Ct);
            }
        }

        var summary = await PullStats.GetRegistryPullSummaryAsync(registry.Id, Now, 2, Ct);
        Assert.Equal((10 + 11, 10 + 11, Hour.AddMinutes(5)), (summary.PullsLast24Hours, summary.PullsLast7Days, summary.LastPulledAt));
        Assert.Equal(
            [new RepositoryPullStats("r0", 10, Hour.AddMinutes(5), 10, 10), new RepositoryPullStats("r1", 11, Hour.AddHours(-1).AddMinutes(5), 11, 11)],
            summary.RecentRepositories);
        Assert.Equal(["r0", "r1", "r3"], (await PullStats.GetRegistryPullSummaryAsync(registry.Id, Now, 10, Ct)).RecentRepositories.Select(r => r.Repository));

        // A deleted repository's pulls no longer count.
        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, repositories[0].Id, T0, Ct));
        var after = await PullStats.GetRegistryPullSummaryAsync(registry.Id, Now, 2, Ct);
        Assert.Equal((11, 11), (after.PullsLast24Hours, after.PullsLast7Days));
        var none = await PullStats.GetRegistryPullSummaryAsync("missing", Now, 2, Ct);
        Assert.Equal((0, 0, null), (none.PullsLast24Hours, none.PullsLast7Days, none.LastPulledAt));
        Assert.Empty(none.RecentRepositories);
    }

    /// <summary>
    /// <paramref name="count"/> manifests pushed a minute apart, m0 first; m2 and m3 at the same instant (ties go by
    /// digest). Each is tagged "t{i}" but the last, which is untagged; m0 also "a-first".
    /// </summary>
    private async Task<List<ManifestRecord>> PutManifestsAsync(RepositoryRecord repository, int count)
    {
        var manifests = new List<ManifestRecord>();
        for (var i = 0; i < count; i++)
        {
            var manifest = Manifest($"{repository.Name}-{i}") with { CreatedAt = T0.AddMinutes(i == 3 ? 2 : i) };
            var tag = i == 0 ? "a-first" : i == count - 1 ? null : $"t{i}";
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, tag, T0.AddMinutes(i), Ct);
            manifests.Add(manifest);
        }

        return manifests;
    }

    /// <summary>A page request in the query string's notation of a sort (<c>name</c>, <c>-pushed</c>).</summary>
    private static ListPageRequest Page(int limit, string sort, string? q = null, ListCursor? after = null) =>
        new(limit, sort[0] == '-' ? ListSort.Descend(sort[1..]) : ListSort.Ascending(sort), after, q);

    /// <summary>Every page of a listing, following its cursors from the first.</summary>
    private static async Task<List<IReadOnlyList<T>>> WalkAsync<T>(Func<ListCursor?, Task<ListPage<T>>> read)
    {
        var pages = new List<IReadOnlyList<T>>();
        ListCursor? after = null;
        do
        {
            var page = await read(after);
            pages.Add(page.Items);
            after = page.Next;
            Assert.True(pages.Count < 100, "the cursors do not end");
        }
        while (after is not null);

        return pages;
    }
}
