using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IArtifactStore"/>: repositories, blobs and their links, manifests and tags, deleting and
/// purging repositories, usage, and the isolation of registries holding the same content.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class ArtifactStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    // ---- repositories

    [Fact]
    public async Task EnsureRepositoryCreatesOnceAndThenReturnsTheSameRow()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Null(await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));

        var created = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var again = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0.AddHours(1), Ct);

        Assert.Equal(new RepositoryRecord(created.Id, registry.Id, "app", T0), created);
        Assert.Equal(created, again);
        Assert.Equal(created, await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));
    }

    [Fact]
    public async Task ParallelEnsureRepositoryYieldsOneRepository()
    {
        var registry = await NewRegistryAsync("acme", "web");

        var repositories = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => Artifacts.EnsureRepositoryAsync(registry.Id, "team/app", T0, Ct))));

        Assert.Single(repositories.Select(r => r.Id).Distinct());
        Assert.Equal(1, (await Artifacts.GetUsageAsync(registry.Id, Ct)).RepositoryCount);
    }

    [Fact]
    public async Task RepositoriesAreListedInOrdinalOrderWithPagination()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        string[] names = ["zeta", "Alpha", "a/b", "a", "b", "a-b", "1"];
        foreach (var name in names)
        {
            await Artifacts.EnsureRepositoryAsync(registry.Id, name, T0, Ct);
        }

        await Artifacts.EnsureRepositoryAsync(other.Id, "elsewhere", T0, Ct);

        var ordered = names.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ordered, await Artifacts.ListRepositoriesAsync(registry.Id, null, 100, Ct));
        Assert.Equal(ordered[..3], await Artifacts.ListRepositoriesAsync(registry.Id, null, 3, Ct));
        Assert.Equal(ordered[3..6], await Artifacts.ListRepositoriesAsync(registry.Id, ordered[2], 3, Ct));
        Assert.Equal(ordered[6..], await Artifacts.ListRepositoriesAsync(registry.Id, ordered[5], 3, Ct));
        Assert.Empty(await Artifacts.ListRepositoriesAsync(registry.Id, ordered[^1], 3, Ct));
        Assert.Equal(["b", "zeta"], await Artifacts.ListRepositoriesAsync(registry.Id, "a0", 100, Ct));
        Assert.Empty(await Artifacts.ListRepositoriesAsync(registry.Id, null, 0, Ct));
    }

    // ---- blobs

    [Fact]
    public async Task AddBlobReportsWhetherTheBlobWasNewToTheRegistryAndLinksIt()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var digest = Digest("layer");

        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, digest, 42, T0, null, Ct));
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, app.Id, digest, 42, T0, null, Ct));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(db.RegistryId, db.Name, digest, Ct));
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, db.Id, digest, 42, T0, null, Ct));

        Assert.Equal(42, await Artifacts.GetRegistryBlobSizeAsync(registry.Id, digest, Ct));
        Assert.Equal(42, await Artifacts.GetRepositoryBlobSizeAsync(app.RegistryId, app.Name, digest, Ct));
        Assert.Equal(42, await Artifacts.GetRepositoryBlobSizeAsync(db.RegistryId, db.Name, digest, Ct));
        Assert.Null(await Artifacts.GetRegistryBlobSizeAsync(registry.Id, Digest("other"), Ct));
        Assert.Equal(new RegistryUsage(42, 2), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // The lookup by name stays inside the registry: a repository of the same name elsewhere sees nothing.
        var other = await NewRegistryAsync("globex", "ops");
        await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(other.Id, "app", digest, Ct));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(registry.Id, "missing", digest, Ct));
    }

    [Fact]
    public async Task LinkBlobMountsOnlyBlobsTheRegistryHolds()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var digest = Digest("layer");
        await Artifacts.AddBlobAsync(registry.Id, app.Id, digest, 42, T0, null, Ct);

        Assert.False(await Artifacts.LinkBlobAsync(registry.Id, db.Id, Digest("absent"), T0, Ct));
        Assert.True(await Artifacts.LinkBlobAsync(registry.Id, db.Id, digest, T0, Ct));
        Assert.True(await Artifacts.LinkBlobAsync(registry.Id, db.Id, digest, T0, Ct));
        Assert.Equal(42, await Artifacts.GetRepositoryBlobSizeAsync(db.RegistryId, db.Name, digest, Ct));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(db.RegistryId, db.Name, Digest("absent"), Ct));
    }

    [Fact]
    public async Task GetRegistryBlobsAndExistingUploadsAnswerForTheirRegistryOnly()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var otherApp = await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("a"), 1, T0, null, Ct);
        await Artifacts.AddBlobAsync(other.Id, otherApp.Id, Digest("b"), 2, T0, null, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u2", other.Id, "app", 0, T0, T0), 0, 10, Ct);

        Assert.Equal([Digest("a")], await Artifacts.GetRegistryBlobsAsync(registry.Id, [Digest("a"), Digest("b"), Digest("x")], Ct));
        Assert.Empty(await Artifacts.GetRegistryBlobsAsync(registry.Id, [], Ct));
        Assert.Equal(["u1"], await Uploads.GetExistingUploadsAsync(registry.Id, ["u1", "u2", "u3"], Ct));
        Assert.Empty(await Uploads.GetExistingUploadsAsync(registry.Id, [], Ct));
    }

    [Fact]
    public async Task GetRepositoryBlobSizesReturnsOnlyLinkedDigests()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("a"), 1, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("b"), 2, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("c"), 3, T0, null, Ct);

        var sizes = await Artifacts.GetRepositoryBlobSizesAsync(app.Id, [Digest("a"), Digest("b"), Digest("c"), Digest("x")], Ct);

        Assert.Equal(new Dictionary<string, long> { [Digest("a")] = 1, [Digest("b")] = 2 }, sizes);
        Assert.Empty(await Artifacts.GetRepositoryBlobSizesAsync(app.Id, [], Ct));
    }

    [Fact]
    public async Task GetRepositoryBlobSizesHandlesLongDigestLists()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        for (var i = 0; i < 20; i++)
        {
            await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest($"blob{i}"), i, T0, null, Ct);
        }

        var asked = Enumerable.Range(0, 1500).Select(i => Digest($"blob{i}")).ToList();
        var sizes = await Artifacts.GetRepositoryBlobSizesAsync(app.Id, asked, Ct);

        Assert.Equal(20, sizes.Count);
        Assert.Equal(19, sizes[Digest("blob19")]);
    }

    [Fact]
    public async Task UnlinkedBlobsBecomeUnreferencedAndCanThenBeRemoved()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var shared = Digest("shared");
        var own = Digest("own");
        await Artifacts.AddBlobAsync(registry.Id, app.Id, shared, 10, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, shared, 10, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, own, 5, T0, null, Ct);
        Assert.Empty(await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));

        Assert.True(await Artifacts.UnlinkBlobAsync(app.Id, shared, Ct));
        Assert.False(await Artifacts.UnlinkBlobAsync(app.Id, shared, Ct));
        Assert.True(await Artifacts.UnlinkBlobAsync(app.Id, own, Ct));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(app.RegistryId, app.Name, shared, Ct));

        // Still linked from db: not unreferenced, and not removable.
        Assert.Equal([own], await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));
        Assert.False(await Artifacts.RemoveRegistryBlobAsync(registry.Id, shared, Ct));
        Assert.True(await Artifacts.RemoveRegistryBlobAsync(registry.Id, own, Ct));
        Assert.False(await Artifacts.RemoveRegistryBlobAsync(registry.Id, own, Ct));

        Assert.Null(await Artifacts.GetRegistryBlobSizeAsync(registry.Id, own, Ct));
        Assert.Equal(10, await Artifacts.GetRegistryBlobSizeAsync(registry.Id, shared, Ct));
        Assert.Equal(new RegistryUsage(10, 2), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Empty(await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task ARemovedBlobCanNoLongerBeMounted()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var digest = Digest("layer");
        await Artifacts.AddBlobAsync(registry.Id, app.Id, digest, 7, T0, null, Ct);
        await Artifacts.UnlinkBlobAsync(app.Id, digest, Ct);
        Assert.True(await Artifacts.RemoveRegistryBlobAsync(registry.Id, digest, Ct));

        Assert.False(await Artifacts.LinkBlobAsync(registry.Id, db.Id, digest, T0, Ct));
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, db.Id, digest, 7, T0, null, Ct));
    }

    [Fact]
    public async Task TheCollectorListsOnlyUnreferencedLinksOlderThanItsCutOffPageByPage()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("used"), 1, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("loose"), 2, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("loose"), 2, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("young"), 3, T0.AddHours(2), null, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m"), [new ManifestLink(Digest("used"), false, 1)], null, null, T0, Ct);
        var cutOff = T0.AddHours(1);

        var first = await Artifacts.ListUnreferencedLinksAsync(cutOff, null, 1, Ct);
        var second = await Artifacts.ListUnreferencedLinksAsync(cutOff, first[^1], 1, Ct);
        var rest = await Artifacts.ListUnreferencedLinksAsync(cutOff, second[^1], 1, Ct);

        Assert.Equal([new BlobLink(registry.Id, app.Id, Digest("loose"), 2)], first);
        Assert.Equal([new BlobLink(registry.Id, db.Id, Digest("loose"), 2)], second);
        Assert.Empty(rest);
        Assert.Equal(3, (await Artifacts.ListUnreferencedLinksAsync(T0.AddHours(3), null, 10, Ct)).Count);
    }

    [Fact]
    public async Task ALinkAClientReliedOnIsKeptForTheGraceFromThatCheck()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var mounted = await Artifacts.EnsureRepositoryAsync(registry.Id, "mounted", T0, Ct);
        foreach (var blob in new[] { "headed", "uploaded", "mounted", "idle" })
        {
            await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest(blob), 5, T0, null, Ct);
        }

        await Artifacts.LinkBlobAsync(registry.Id, mounted.Id, Digest("mounted"), T0, Ct);
        var cutOff = T0.AddHours(1);

        // A HEAD that finds the link, an upload of a blob already linked, a mount onto an existing link: each counts.
        Assert.Equal(5, await Artifacts.CheckRepositoryBlobAsync(registry.Id, "app", Digest("headed"), T0.AddHours(2), Ct));
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("uploaded"), 5, T0.AddHours(2), null, Ct));
        Assert.True(await Artifacts.LinkBlobAsync(registry.Id, mounted.Id, Digest("mounted"), T0.AddHours(2), Ct));
        Assert.Null(await Artifacts.CheckRepositoryBlobAsync(registry.Id, "app", Digest("absent"), T0.AddHours(2), Ct));
        Assert.Null(await Artifacts.CheckRepositoryBlobAsync(registry.Id, "db", Digest("headed"), T0.AddHours(2), Ct));

        var listed = await Artifacts.ListUnreferencedLinksAsync(cutOff, null, 10, Ct);
        Assert.Equal([new BlobLink(registry.Id, app.Id, Digest("idle"), 5), new BlobLink(registry.Id, app.Id, Digest("mounted"), 5)],
            listed.OrderBy(l => l.Digest, StringComparer.Ordinal));

        // The unlink checks again: a link checked after the cut-off stays, even when named.
        var candidates = new[] { "headed", "uploaded", "mounted", "idle" }.Select(Digest).ToList();
        var unlinked = await Artifacts.UnlinkUnreferencedBlobsAsync(app.Id, candidates, cutOff, cutOff, Ct);
        Assert.Equal([Digest("idle"), Digest("mounted")], unlinked.Order(StringComparer.Ordinal));
        Assert.Empty(await Artifacts.UnlinkUnreferencedBlobsAsync(mounted.Id, [Digest("mounted")], cutOff, cutOff, Ct));
        Assert.Equal(5, await Artifacts.GetRepositoryBlobSizeAsync(registry.Id, "app", Digest("headed"), Ct));

        // Created after the cut-off: kept by the creation date alone (a push that just uploaded it).
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("fresh"), 1, T0.AddHours(2), null, Ct);
        Assert.Empty(await Artifacts.UnlinkUnreferencedBlobsAsync(db.Id, [Digest("fresh")], cutOff, cutOff, Ct));
        Assert.Equal([Digest("fresh")], await Artifacts.UnlinkUnreferencedBlobsAsync(db.Id, [Digest("fresh")], DateTimeOffset.MaxValue, cutOff, Ct));

        // Once past the grace of the last check, they go.
        Assert.Equal(2, (await Artifacts.UnlinkUnreferencedBlobsAsync(app.Id, candidates, T0.AddHours(3), T0.AddHours(3), Ct)).Count);
    }

    [Fact]
    public async Task AManifestNamingABlobUnlinkedSinceItsCheckIsNotStored()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("config"), 1, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("layer"), 2, T0, null, Ct);
        await Artifacts.UnlinkBlobAsync(app.Id, Digest("layer"), Ct);
        var manifest = Manifest("m");

        Assert.False(await Artifacts.PutManifestAsync(app.Id, manifest,
            [new ManifestLink(Digest("config"), false, 1), new ManifestLink(Digest("layer"), false, 2)], null, "latest", T0, Ct));

        Assert.Null(await Artifacts.GetManifestAsync(app.Id, manifest.Digest, Ct));
        Assert.Null(await Artifacts.GetManifestAsync(app.Id, "latest", Ct));
        Assert.True(await Artifacts.PutManifestAsync(app.Id, manifest, [new ManifestLink(Digest("config"), false, 1)], null, "latest", T0, Ct));
    }

    [Fact]
    public async Task ACollectorUnlinkAndAManifestPutOnTheSameBlobNeverBothSucceed()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var outcomes = new List<(bool Stored, bool Unlinked)>();
        for (var round = 0; round < 40; round++)
        {
            var layer = Digest($"layer-{round}");
            await Artifacts.AddBlobAsync(registry.Id, app.Id, layer, 1, T0, null, Ct);
            var manifest = Manifest($"m-{round}");
            using var start = new ManualResetEventSlim();
            var put = Task.Run(async () =>
            {
                start.Wait();
                return await Artifacts.PutManifestAsync(app.Id, manifest, [new ManifestLink(layer, false, 1)], null, null, T0, Ct);
            });
            var unlink = Task.Run(async () =>
            {
                start.Wait();
                return await Artifacts.UnlinkUnreferencedBlobsAsync(app.Id, [layer], T0.AddHours(1), T0.AddHours(1), Ct);
            });
            start.Set();
            var stored = await put;
            var unlinked = (await unlink).Count == 1;
            outcomes.Add((stored, unlinked));

            // Exactly one wins, and what is stored agrees with it.
            Assert.True(stored != unlinked, $"round {round}: stored {stored}, unlinked {unlinked}");
            Assert.Equal(stored, await Artifacts.GetManifestAsync(app.Id, manifest.Digest, Ct) is not null);
            Assert.Equal(stored, await Artifacts.GetRepositoryBlobSizeAsync(registry.Id, "app", layer, Ct) is not null);
        }
    }

    // ---- manifests and tags

    [Fact]
    public async Task AManifestIsFoundByDigestAndByTag()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m1", subject: Digest("subject"), artifactType: "application/vnd.example");
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("layer"), 10, T0, null, Ct);
        await Artifacts.PutManifestAsync(repository.Id, manifest, [new ManifestLink(Digest("layer"), false, 10)], null, "latest", T0, Ct);

        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(repository.Id, manifest.Digest, Ct));
        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(repository.Id, "latest", Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, "other", Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, Digest("other"), Ct));
    }

    [Fact]
    public async Task AManifestIsFoundByRepositoryNameAndReferenceInOneLookup()
    {
        var repository = await NewRepositoryAsync();
        var registryId = repository.RegistryId;
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, "latest", T0, Ct);

        var byTag = await Artifacts.FindManifestAsync(registryId, repository.Name, "latest", Ct);
        var byDigest = await Artifacts.FindManifestAsync(registryId, repository.Name, manifest.Digest, Ct);
        Assert.Equal(repository.Id, byTag?.RepositoryId);
        AssertSameManifest(manifest, byTag?.Manifest);
        Assert.Equal(repository.Id, byDigest?.RepositoryId);
        AssertSameManifest(manifest, byDigest?.Manifest);

        // The repository exists without that manifest; a repository that does not exist is no lookup at all.
        Assert.Equal(new ManifestLookup(repository.Id, null), await Artifacts.FindManifestAsync(registryId, repository.Name, "other", Ct));
        Assert.Equal(new ManifestLookup(repository.Id, null), await Artifacts.FindManifestAsync(registryId, repository.Name, Digest("other"), Ct));
        Assert.Null(await Artifacts.FindManifestAsync(registryId, "missing", "latest", Ct));
        var other = await NewRegistryAsync("acme", "other");
        Assert.Null(await Artifacts.FindManifestAsync(other.Id, repository.Name, "latest", Ct));
    }

    [Fact]
    public async Task ManifestsAreScopedToTheirRepository()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(app.Id, manifest, [], null, "latest", T0, Ct);

        Assert.Null(await Artifacts.GetManifestAsync(db.Id, manifest.Digest, Ct));
        Assert.Null(await Artifacts.GetManifestAsync(db.Id, "latest", Ct));
        Assert.Empty(await Artifacts.GetExistingManifestsAsync(db.Id, [manifest.Digest], Ct));
    }

    [Fact]
    public async Task PutManifestIsIdempotentAndAddsFurtherTags()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m1");
        ManifestLink[] links = [new(Digest("config"), false, 1), new(Digest("layer"), false, 2), new(Digest("layer"), false, 2)];
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("config"), 1, T0, null, Ct);
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("layer"), 2, T0, null, Ct);
        await Artifacts.PutManifestAsync(repository.Id, manifest, links, null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, manifest, links, null, "v1", T0.AddMinutes(1), Ct);
        await Artifacts.PutManifestAsync(repository.Id, manifest, links, null, null, T0.AddMinutes(2), Ct);
        await Artifacts.PutManifestAsync(repository.Id, manifest, links, null, "stable", T0.AddMinutes(3), Ct);

        Assert.Equal(["stable", "v1"], await Artifacts.ListTagsAsync(repository.Id, null, 100, Ct));
        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(repository.Id, "stable", Ct));
        var summary = Assert.Single(await Artifacts.ListRepositorySummariesAsync(repository.RegistryId, Ct));
        Assert.Equal((2, 1), (summary.TagCount, summary.ManifestCount));
    }

    [Fact]
    public async Task ATagMovesToTheNewestManifest()
    {
        var repository = await NewRepositoryAsync();
        var first = Manifest("m1");
        var second = Manifest("m2");
        await Artifacts.PutManifestAsync(repository.Id, first, [], null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, second, [], null, "latest", T0.AddMinutes(5), Ct);

        AssertSameManifest(second, await Artifacts.GetManifestAsync(repository.Id, "latest", Ct));
        AssertSameManifest(first, await Artifacts.GetManifestAsync(repository.Id, first.Digest, Ct));
        var tag = Assert.Single((await Artifacts.ListTagPageAsync(repository.Id, AllTags, Ct)).Items);
        Assert.Equal(new TagRecord("latest", second.Digest, T0.AddMinutes(5)), tag);
    }

    [Fact]
    public async Task DeletingAManifestDeletesItsTagsOnly()
    {
        var repository = await NewRepositoryAsync();
        var first = Manifest("m1");
        var second = Manifest("m2");
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("layer"), 3, T0, null, Ct);
        await Artifacts.PutManifestAsync(repository.Id, first, [new ManifestLink(Digest("layer"), false, 3)], null, "a", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, first, [], null, "b", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, second, [], null, "c", T0, Ct);

        Assert.True(await DeleteManifestNowAsync(repository.Id, first.Digest, Ct));
        Assert.False(await DeleteManifestNowAsync(repository.Id, first.Digest, Ct));

        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, first.Digest, Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, "a", Ct));
        Assert.Equal(["c"], await Artifacts.ListTagsAsync(repository.Id, null, 100, Ct));
        AssertSameManifest(second, await Artifacts.GetManifestAsync(repository.Id, "c", Ct));

        // The digest can be pushed again after a delete.
        await Artifacts.PutManifestAsync(repository.Id, first, [new ManifestLink(Digest("layer"), false, 3)], null, "a", T0, Ct);
        AssertSameManifest(first, await Artifacts.GetManifestAsync(repository.Id, "a", Ct));
    }

    [Fact]
    public async Task DeletingARepositoryHidesItAtOnceAndItsPurgeRemovesEverythingOfItAndReturnsItsBlobs()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var keep = await Artifacts.EnsureRepositoryAsync(registry.Id, "keep", T0, Ct);
        var shared = Digest("shared");
        var own = Digest("own");
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, shared, 3, T0, null, Ct));
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, own, 4, T0, null, Ct));
        Assert.True(await Artifacts.LinkBlobAsync(registry.Id, keep.Id, shared, T0, Ct));
        var manifest = Manifest("m1");
        var links = new[] { new ManifestLink(shared, false, 3), new ManifestLink(own, false, 4) };
        await Artifacts.PutManifestAsync(app.Id, manifest, links, null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(keep.Id, manifest, [links[0]], null, "latest", T0, Ct);
        await PullStats.RecordPullsAsync([new PullCount(app.Id, manifest.Digest, Hour, 2, Now)], Ct);

        // Another registry's id never deletes this one's repository.
        var stranger = await NewRegistryAsync("acme", "other");
        Assert.False(await Artifacts.DeleteRepositoryAsync(stranger.Id, app.Id, T0, Ct));
        Assert.NotNull(await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));

        // Gone for every lookup and listing at once; its records wait for the purge.
        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, app.Id, T0, Ct));
        Assert.False(await Artifacts.DeleteRepositoryAsync(registry.Id, app.Id, T0, Ct));
        Assert.Null(await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(registry.Id, "app", own, Ct));
        Assert.Equal(["keep"], await Artifacts.ListRepositoriesAsync(registry.Id, null, 10, Ct));
        Assert.Equal(["keep"], (await Artifacts.ListRepositorySummariesAsync(registry.Id, Ct)).Select(s => s.Name));
        Assert.Equal(1, (await Artifacts.GetUsageAsync(registry.Id, Ct)).RepositoryCount);
        Assert.Equal([new DeletedRepository(app.Id, registry.Id)], await Artifacts.ListDeletedRepositoriesAsync(Ct));

        var (_, released) = await PurgeRepositoryAsync(app.Id, batchSize: 1000);
        Assert.Equal([own, shared], released.Order(StringComparer.Ordinal));
        Assert.Empty(await Artifacts.ListDeletedRepositoriesAsync(Ct));
        Assert.Equal(0, await CountRowsAsync("pull_counts"));

        // Only the blob no other repository links is unreferenced now; the other repository is untouched.
        Assert.Equal([own], await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));
        Assert.Equal(["keep"], (await Artifacts.ListRepositorySummariesAsync(registry.Id, Ct)).Select(s => s.Name));
        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(keep.Id, "latest", Ct));
        Assert.Equal(3, await Artifacts.GetRepositoryBlobSizeAsync(keep.RegistryId, keep.Name, shared, Ct));

        // The name can be used again at once, as a new empty repository.
        var again = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        Assert.NotEqual(app.Id, again.Id);
        Assert.Empty((await Artifacts.ListArtifactPageAsync(again.Id, new ListPageRequest(10, ListSort.Descend(ListSort.PushedKey)), Ct)).Items);
    }

    [Fact]
    public async Task ARepositoryPurgeGoesInBatchesOfAtMostTheBatchSizeAndLeavesOtherRepositoriesAlone()
    {
        const int Manifests = 23;
        const int BatchSize = 5;
        var registry = await NewRegistryAsync("acme", "web");
        var big = await Artifacts.EnsureRepositoryAsync(registry.Id, "big", T0, Ct);
        var keep = await Artifacts.EnsureRepositoryAsync(registry.Id, "keep", T0, Ct);
        var layers = Enumerable.Range(0, Manifests).Select(i => Digest($"layer{i}")).ToList();
        for (var i = 0; i < Manifests; i++)
        {
            Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, big.Id, layers[i], 10, T0, null, Ct));
            var manifest = Manifest($"big{i}");
            await Artifacts.PutManifestAsync(big.Id, manifest, [new ManifestLink(layers[i], false, 10)], null, $"v{i}", T0, Ct);
            await Artifacts.PutManifestAsync(big.Id, manifest, [], null, $"w{i}", T0, Ct);
            Assert.True(await Scans.QueueScanAsync(big.Id, manifest.Digest, T0, Ct));
            await PullStats.RecordPullsAsync([new PullCount(big.Id, manifest.Digest, Hour, 1, Now)], Ct);
        }

        Assert.True(await Artifacts.LinkBlobAsync(registry.Id, keep.Id, layers[0], T0, Ct));
        var kept = Manifest("kept");
        await Artifacts.PutManifestAsync(keep.Id, kept, [new ManifestLink(layers[0], false, 10)], null, "latest", T0, Ct);
        Assert.True(await Scans.QueueScanAsync(keep.Id, kept.Digest, T0, Ct));
        await PullStats.RecordPullsAsync([new PullCount(keep.Id, kept.Digest, Hour, 1, Now)], Ct);

        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, big.Id, T0, Ct));
        var (batches, unlinked) = await PurgeRepositoryAsync(big.Id, BatchSize);

        // 46 tags, 23 manifests (with their links and scans), 23 pull counts, 23 blob links, then the row: each kind
        // in batches of at most five rows.
        var expected = (2 * Manifests + BatchSize - 1) / BatchSize + 3 * ((Manifests + BatchSize - 1) / BatchSize) + 1;
        Assert.Equal(expected, batches);
        Assert.Equal(layers.Order(StringComparer.Ordinal), unlinked.Order(StringComparer.Ordinal));
        foreach (var table in new[] { "manifests", "manifest_links", "tags", "scans", "pull_counts", "repository_blobs" })
        {
            Assert.True(await CountRowsAsync(table) == 1, $"{table}: only the kept repository's row should be left");
        }

        Assert.Equal(1, await CountRowsAsync("repositories"));
        Assert.Equal(layers.Skip(1).Order(StringComparer.Ordinal), await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));
        AssertSameManifest(kept, await Artifacts.GetManifestAsync(keep.Id, "latest", Ct));
        Assert.Equal(10, await Artifacts.GetRepositoryBlobSizeAsync(registry.Id, "keep", layers[0], Ct));
    }

    [Fact]
    public async Task APurgeNeverTouchesALiveRepositoryOrRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("layer"), 10, T0, null, Ct));
        await Artifacts.PutManifestAsync(app.Id, Manifest("m1"), [new ManifestLink(Digest("layer"), false, 10)], null, "latest", T0, Ct);

        // A stale id (a repository or registry that is not deleted) purges nothing.
        var step = await Artifacts.PurgeRepositoryAsync(app.Id, 10, Ct);
        Assert.Equal((0, false), (step.UnlinkedDigests.Count, step.More));
        Assert.False(await Tenants.PurgeRegistryAsync(registry.Id, 10, Ct));
        Assert.False((await Artifacts.PurgeRepositoryAsync(-1, 10, Ct)).More);
        Assert.False(await Tenants.PurgeRegistryAsync("no-such-registry", 10, Ct));

        AssertSameManifest(Manifest("m1"), await Artifacts.GetManifestAsync(app.Id, "latest", Ct));
        Assert.Equal(new RegistryUsage(10, 1), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Empty(await Artifacts.ListDeletedRepositoriesAsync(Ct));
    }

    [Fact]
    public async Task DeletingATagKeepsTheManifest()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, "latest", T0, Ct);

        Assert.True(await DeleteTagNowAsync(repository.Id, "latest", Ct));
        Assert.False(await DeleteTagNowAsync(repository.Id, "latest", Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, "latest", Ct));
        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(repository.Id, manifest.Digest, Ct));
    }

    [Fact]
    public async Task GetExistingManifestsReturnsTheSubsetPresent()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.PutManifestAsync(repository.Id, Manifest("m1"), [], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("m2"), [], null, null, T0, Ct);

        var asked = Enumerable.Range(0, 1200).Select(i => Digest($"nothing{i}")).Append(Manifest("m2").Digest).ToList();
        Assert.Equal([Manifest("m2").Digest], await Artifacts.GetExistingManifestsAsync(repository.Id, asked, Ct));
        Assert.Empty(await Artifacts.GetExistingManifestsAsync(repository.Id, [], Ct));
    }

    [Fact]
    public async Task TagsAreListedInOrdinalOrderWithPagination()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m1");
        string[] tags = ["v10", "latest", "V2", "1.0", "v2", "_x", "v1.0-rc"];
        foreach (var tag in tags)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, tag, T0, Ct);
        }

        var ordered = tags.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ordered, await Artifacts.ListTagsAsync(repository.Id, null, 100, Ct));
        Assert.Equal(ordered[..2], await Artifacts.ListTagsAsync(repository.Id, null, 2, Ct));
        Assert.Equal(ordered[2..4], await Artifacts.ListTagsAsync(repository.Id, ordered[1], 2, Ct));
        Assert.Equal(ordered[6..], await Artifacts.ListTagsAsync(repository.Id, ordered[5], 2, Ct));
        Assert.Empty(await Artifacts.ListTagsAsync(repository.Id, ordered[^1], 2, Ct));
        Assert.Equal(["v10", "v2"], await Artifacts.ListTagsAsync(repository.Id, "v1.0-rc", 100, Ct));
        Assert.Empty(await Artifacts.ListTagsAsync(repository.Id, null, 0, Ct));
        Assert.Equal(ordered, (await Artifacts.ListTagPageAsync(repository.Id, AllTags, Ct)).Items.Select(t => t.Name));
    }

    [Fact]
    public async Task ReferrersAreListedBySubjectWithAnOptionalArtifactTypeFilter()
    {
        var repository = await NewRepositoryAsync();
        var subject = Manifest("image");
        var signature = Manifest("sig", subject.Digest, "application/vnd.example.signature");
        var sbom = Manifest("sbom", subject.Digest, "application/spdx+json");
        var unrelated = Manifest("unrelated", Digest("elsewhere"), "application/spdx+json");
        await Artifacts.PutManifestAsync(repository.Id, subject, [], null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, signature, [], """{"org.example.signer":"ci"}""", null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, sbom, [], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, unrelated, [], null, null, T0, Ct);

        var all = await Artifacts.ListReferrersAsync(repository.Id, subject.Digest, null, Ct);
        Assert.Equal(
            new[]
            {
                new ReferrerRecord(signature.Digest, signature.MediaType, signature.Content.Length, signature.ArtifactType, """{"org.example.signer":"ci"}"""),
                new ReferrerRecord(sbom.Digest, sbom.MediaType, sbom.Content.Length, sbom.ArtifactType, null),
            }.OrderBy(r => r.Digest, StringComparer.Ordinal),
            all.OrderBy(r => r.Digest, StringComparer.Ordinal));

        var sboms = await Artifacts.ListReferrersAsync(repository.Id, subject.Digest, "application/spdx+json", Ct);
        Assert.Equal([sbom.Digest], sboms.Select(r => r.Digest));
        Assert.Empty(await Artifacts.ListReferrersAsync(repository.Id, subject.Digest, "application/none", Ct));
        Assert.Empty(await Artifacts.ListReferrersAsync(repository.Id, Digest("nothing"), null, Ct));
    }

    // ---- summaries and usage

    [Fact]
    public async Task SummariesCountTagsManifestsAndDistinctBlobBytesPerRepository()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0.AddMinutes(1), Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "empty", T0.AddMinutes(2), Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("shared"), 100, T0.AddMinutes(3), null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("shared"), 100, T0.AddMinutes(3), null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("app-only"), 10, T0.AddMinutes(4), null, Ct);
        await Artifacts.LinkBlobAsync(registry.Id, db.Id, Digest("shared"), T0.AddMinutes(5), Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("db-only"), 1, T0.AddMinutes(6), null, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m1"), [], null, "v1", T0.AddMinutes(7), Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m2"), [], null, "v2", T0.AddMinutes(8), Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m2"), [], null, "latest", T0.AddMinutes(9), Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m3"), [], null, null, T0.AddMinutes(10), Ct);

        var summaries = (await Artifacts.ListRepositorySummariesAsync(registry.Id, Ct)).OrderBy(s => s.Name, StringComparer.Ordinal);

        Assert.Equal(
            [
                new RepositorySummary("app", 3, 3, 110, T0, T0.AddMinutes(10)),
                new RepositorySummary("db", 0, 0, 101, T0.AddMinutes(1), T0.AddMinutes(6)),
                new RepositorySummary("empty", 0, 0, 0, T0.AddMinutes(2), T0.AddMinutes(2)),
            ],
            summaries);
        Assert.Equal(new RegistryUsage(111, 3), await Artifacts.GetUsageAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task UsageOfAnEmptyRegistryIsZero()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Equal(new RegistryUsage(0, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Empty(await Artifacts.ListRepositorySummariesAsync(registry.Id, Ct));
    }

    // ---- tenant isolation

    [Fact]
    public async Task TwoRegistriesHoldingTheSameDigestsAreIsolated()
    {
        var a = await NewRegistryAsync("acme", "web");
        var b = await NewRegistryAsync("globex", "ops");
        var appA = await Artifacts.EnsureRepositoryAsync(a.Id, "app", T0, Ct);
        var appB = await Artifacts.EnsureRepositoryAsync(b.Id, "app", T0, Ct);
        Assert.NotEqual(appA.Id, appB.Id);
        var layer = Digest("layer");
        var manifest = Manifest("m1");

        // The same content is new to each registry.
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(a.Id, appA.Id, layer, 50, T0, null, Ct));
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(b.Id, appB.Id, layer, 50, T0, null, Ct));
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(a.Id, appA.Id, Digest("only-a"), 5, T0, null, Ct));
        await Artifacts.PutManifestAsync(appA.Id, manifest, [], null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(appB.Id, manifest, [], null, "latest", T0, Ct);

        // A registry cannot mount what only the other one holds.
        var otherB = await Artifacts.EnsureRepositoryAsync(b.Id, "other", T0, Ct);
        Assert.False(await Artifacts.LinkBlobAsync(b.Id, otherB.Id, Digest("only-a"), T0, Ct));
        Assert.Null(await Artifacts.GetRegistryBlobSizeAsync(b.Id, Digest("only-a"), Ct));

        // Unlinking, removing and deleting in A leaves B untouched.
        Assert.True(await Artifacts.UnlinkBlobAsync(appA.Id, layer, Ct));
        Assert.Equal([layer], await Artifacts.ListUnreferencedBlobsAsync(a.Id, Ct));
        Assert.Empty(await Artifacts.ListUnreferencedBlobsAsync(b.Id, Ct));
        Assert.True(await Artifacts.RemoveRegistryBlobAsync(a.Id, layer, Ct));
        Assert.False(await Artifacts.RemoveRegistryBlobAsync(b.Id, layer, Ct));
        Assert.True(await DeleteManifestNowAsync(appA.Id, manifest.Digest, Ct));

        Assert.Equal(50, await Artifacts.GetRegistryBlobSizeAsync(b.Id, layer, Ct));
        Assert.Equal(50, await Artifacts.GetRepositoryBlobSizeAsync(appB.RegistryId, appB.Name, layer, Ct));
        AssertSameManifest(manifest, await Artifacts.GetManifestAsync(appB.Id, "latest", Ct));
        Assert.Equal(new RegistryUsage(5, 1), await Artifacts.GetUsageAsync(a.Id, Ct));
        Assert.Equal(new RegistryUsage(50, 2), await Artifacts.GetUsageAsync(b.Id, Ct));
        Assert.Equal(["app"], await Artifacts.ListRepositoriesAsync(a.Id, null, 10, Ct));
    }

    // ---- concurrency

    [Fact]
    public async Task ParallelBlobAddsCountEachUniqueBlobOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repositories = new List<RepositoryRecord>();
        for (var i = 0; i < 4; i++)
        {
            repositories.Add(await Artifacts.EnsureRepositoryAsync(registry.Id, $"repo{i}", T0, Ct));
        }

        // Task t adds blobs t*25 .. t*25+49: neighbours share 25 digests, all in different or the same repositories.
        static long SizeOf(int blob) => 1000 + blob;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var added = 0;
            for (var i = 0; i < 50; i++)
            {
                var blob = (t * 25) + i;
                if (await Artifacts.AddBlobAsync(registry.Id, repositories[t % 4].Id, Digest($"blob{blob}"), SizeOf(blob), T0, null, Ct) == BlobAddResult.Added)
                {
                    added++;
                }
            }

            return added;
        })));

        var unique = Enumerable.Range(0, (7 * 25) + 50).ToList();
        Assert.Equal(unique.Count, results.Sum());
        Assert.Equal(new RegistryUsage(unique.Sum(SizeOf), 4), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Empty(await Artifacts.ListUnreferencedBlobsAsync(registry.Id, Ct));
    }

    // ---- helpers

    private static readonly ListPageRequest AllTags = new(ListPageRequest.MaxLimit, ListSort.Ascending(ListSort.NameKey));

    private static void AssertSameManifest(ManifestRecord expected, ManifestRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Digest, actual.Digest);
        Assert.Equal(expected.MediaType, actual.MediaType);
        Assert.Equal(expected.Content, actual.Content);
        Assert.Equal(expected.ArtifactType, actual.ArtifactType);
        Assert.Equal(expected.SubjectDigest, actual.SubjectDigest);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }
}
