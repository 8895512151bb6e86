using System.Security.Cryptography;
using System.Text;
using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata;

/// <summary>
/// The contract of the metadata interfaces, run against every backend: a backend's test class derives from this
/// and supplies a fresh, empty store per test.
/// </summary>
public abstract class MetadataStoreConformanceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    // "Now" for the pull statistics, and the start of the hour it falls in.
    private static readonly DateTimeOffset Hour = new(2025, 3, 20, 12, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset Now = Hour.AddMinutes(30);

    private static readonly CancellationToken Ct = CancellationToken.None;

    private IMetadataStore _store = null!;

    protected IMetadataStore Lifecycle => _store;

    protected ITenantStore Tenants => _store;

    protected IArtifactStore Artifacts => _store;

    protected IUploadStore Uploads => _store;

    protected IUserStore Users => _store;

    protected IPullStatsStore PullStats => _store;

    protected IAdvisoryStore Advisories => _store;

    protected IScanStore Scans => _store;

    /// <summary>A new store over empty storage; <see cref="IMetadataStore.InitializeAsync"/> is called by the suite.</summary>
    protected abstract Task<IMetadataStore> CreateStoreAsync();

    /// <summary>Rows in a table of the store, read directly (what the interfaces cannot show: rows nothing returns).</summary>
    protected abstract Task<long> CountRowsAsync(string table);

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await Lifecycle.InitializeAsync(Ct);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    // ---- lifecycle

    [Fact]
    public async Task PingAnswers() => Assert.True(await Lifecycle.PingAsync(Ct));

    [Fact]
    public async Task InitializeAgainKeepsTheData()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Lifecycle.InitializeAsync(Ct);
        Assert.NotNull(await Tenants.GetRegistryByIdAsync(registry.Id, Ct));
    }

    // ---- projects and registries

    [Fact]
    public async Task ProjectsAreCreatedFoundByNameAndListed()
    {
        var created = await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0.AddMinutes(1), Ct);

        Assert.Equal(new ProjectRecord("p1", "acme", T0), created);
        Assert.Equal(new ProjectRecord("p1", "acme", T0), await Tenants.GetProjectAsync("acme", Ct));
        Assert.Null(await Tenants.GetProjectAsync("initech", Ct));
        Assert.Equal(["acme", "globex"], (await Tenants.ListProjectsAsync(Ct)).Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TimestampsComeBackAsTheSameInstantInUtc()
    {
        // Microseconds: the finest resolution every backend keeps (PostgreSQL's timestamptz has no 100 ns ticks).
        var local = new DateTimeOffset(2025, 3, 4, 7, 6, 7, 123, TimeSpan.FromHours(2)).AddTicks(4560);
        await Tenants.CreateProjectAsync("p1", "acme", local, Ct);

        var read = (await Tenants.GetProjectAsync("acme", Ct))!.CreatedAt;
        Assert.Equal(local, read);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public async Task ADuplicateProjectNameIsAConflict()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Assert.ThrowsAsync<MetadataConflictException>(() => Tenants.CreateProjectAsync("p2", "acme", T0, Ct));
    }

    [Fact]
    public async Task RegistriesCarryTheirProjectNameAndAreFoundByNameAndId()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        var created = await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);

        var expected = new RegistryRecord("r1", "web", "p1", "acme", 1000, T0);
        Assert.Equal(expected, created);
        Assert.Equal(expected, await Tenants.GetRegistryAsync("web", Ct));
        Assert.Equal(expected, await Tenants.GetRegistryByIdAsync("r1", Ct));
        Assert.Null(await Tenants.GetRegistryAsync("nope", Ct));
        Assert.Null(await Tenants.GetRegistryByIdAsync("nope", Ct));
    }

    [Fact]
    public async Task RegistriesAreListedPerProject()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r2", "api", "p1", "hash", 1000, T0), Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r3", "ops", "p2", "hash", 1000, T0), Ct);

        Assert.Equal(["api", "web"], (await Tenants.ListRegistriesAsync("p1", Ct)).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["globex"], (await Tenants.ListRegistriesAsync("p2", Ct)).Select(r => r.ProjectName));
        Assert.Empty(await Tenants.ListRegistriesAsync("nope", Ct));
    }

    [Fact]
    public async Task RegistryNamesAreUniqueAcrossProjects()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);

        await Assert.ThrowsAsync<MetadataConflictException>(
            () => Tenants.CreateRegistryAsync(new NewRegistry("r2", "web", "p2", "hash", 1000, T0), Ct));
    }

    [Fact]
    public async Task ARegistryNeedsAnExistingProject()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(
            () => Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "missing", "hash", 1000, T0), Ct));
        Assert.IsNotType<MetadataConflictException>(error);
        Assert.Null(await Tenants.GetRegistryAsync("web", Ct));
    }

    [Fact]
    public async Task TheCredentialUsernameIsTheRegistryName()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "pbkdf2-hash", 1000, T0), Ct);

        var credential = await Tenants.GetCredentialAsync("web", Ct);
        Assert.NotNull(credential);
        Assert.Equal(("r1", "web", "pbkdf2-hash"), (credential.RegistryId, credential.Username, credential.PasswordHash));
        Assert.Equal(credential.Generation, await Tenants.GetCredentialGenerationAsync("r1", Ct));
        Assert.Null(await Tenants.GetCredentialAsync("r1", Ct));
        Assert.Null(await Tenants.GetCredentialAsync("other", Ct));
        Assert.Null(await Tenants.GetCredentialGenerationAsync("missing", Ct));
        Assert.Equal((null, null), (credential.PreviousPasswordHash, credential.PasswordReplacedAt));
    }

    [Fact]
    public async Task AReplacedPasswordIsKeptAsThePreviousOneWithItsTime()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "first-hash", 1000, T0), Ct);
        var before = (await Tenants.GetCredentialAsync("web", Ct))!.Generation;

        Assert.Equal(before + 1, await Tenants.ReplacePasswordAsync("r1", "second-hash", T0.AddHours(1), Ct));
        Assert.Equal(new RegistryCredential("r1", "web", "second-hash", before + 1, "first-hash", T0.AddHours(1)),
            await Tenants.GetCredentialAsync("web", Ct));

        // Only the one replaced last is kept.
        await Tenants.ReplacePasswordAsync("r1", "third-hash", T0.AddHours(2), Ct);
        Assert.Equal(new RegistryCredential("r1", "web", "third-hash", before + 2, "second-hash", T0.AddHours(2)),
            await Tenants.GetCredentialAsync("web", Ct));
    }

    // ---- settings

    [Fact]
    public async Task SettingsAreReadSetAndOverwritten()
    {
        Assert.Null(await Tenants.GetSettingAsync("admin", Ct));
        await Tenants.SetSettingAsync("admin", "one", Ct);
        Assert.Equal("one", await Tenants.GetSettingAsync("admin", Ct));
        await Tenants.SetSettingAsync("admin", "two", Ct);
        Assert.Equal("two", await Tenants.GetSettingAsync("admin", Ct));
    }

    [Fact]
    public async Task GetOrAddSettingKeepsTheFirstValue()
    {
        Assert.Equal("first", await Tenants.GetOrAddSettingAsync("key", "first", Ct));
        Assert.Equal("first", await Tenants.GetOrAddSettingAsync("key", "second", Ct));
        Assert.Equal("first", await Tenants.GetSettingAsync("key", Ct));
    }

    [Fact]
    public async Task ConcurrentGetOrAddSettingCallsAgreeOnOneValue()
    {
        var values = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Tenants.GetOrAddSettingAsync("signing-key", $"key-{i}", Ct))));

        var stored = await Tenants.GetSettingAsync("signing-key", Ct);
        Assert.All(values, v => Assert.Equal(stored, v));
    }

    [Fact]
    public async Task ListSettingsReturnsExactlyThePrefix()
    {
        await Tenants.SetSettingAsync("dp.key.1", "one", Ct);
        await Tenants.SetSettingAsync("dp.key.2", "two", Ct);
        await Tenants.SetSettingAsync("dp.kex", "other", Ct);
        await Tenants.SetSettingAsync("dp%key.3", "wildcard-lookalike", Ct);

        var listed = await Tenants.ListSettingsAsync("dp.key.", Ct);
        Assert.Equal(new Dictionary<string, string> { ["dp.key.1"] = "one", ["dp.key.2"] = "two" }, listed);
        Assert.Empty(await Tenants.ListSettingsAsync("dp_key", Ct));
    }

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
        var tag = Assert.Single(await Artifacts.ListTagRecordsAsync(repository.Id, Ct));
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

        Assert.True(await Artifacts.DeleteManifestAsync(repository.Id, first.Digest, Ct));
        Assert.False(await Artifacts.DeleteManifestAsync(repository.Id, first.Digest, Ct));

        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, first.Digest, Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, "a", Ct));
        Assert.Equal(["c"], await Artifacts.ListTagsAsync(repository.Id, null, 100, Ct));
        AssertSameManifest(second, await Artifacts.GetManifestAsync(repository.Id, "c", Ct));

        // The digest can be pushed again after a delete.
        await Artifacts.PutManifestAsync(repository.Id, first, [new ManifestLink(Digest("layer"), false, 3)], null, "a", T0, Ct);
        AssertSameManifest(first, await Artifacts.GetManifestAsync(repository.Id, "a", Ct));
    }

    [Fact]
    public async Task ManifestsAreListedNewestFirstWithTheirContent()
    {
        var repository = await NewRepositoryAsync();
        var older = Manifest("m1");
        var newer = Manifest("m2", subject: older.Digest, artifactType: "application/spdx+json") with { CreatedAt = T0.AddMinutes(1) };
        await Artifacts.PutManifestAsync(repository.Id, older, [], null, "a", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, newer, [], null, null, T0, Ct);
        var other = await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "other", T0, Ct);
        await Artifacts.PutManifestAsync(other.Id, Manifest("m3"), [], null, null, T0, Ct);

        var listed = await Artifacts.ListManifestsAsync(repository.Id, Ct);
        Assert.Equal(2, listed.Count);
        AssertSameManifest(newer, listed[0]);
        AssertSameManifest(older, listed[1]);
        Assert.Empty(await Artifacts.ListManifestsAsync(-1, Ct));
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
        Assert.Empty(await Artifacts.ListManifestsAsync(again.Id, Ct));
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
    public async Task ADeletedRegistryNameIsFreeAtOnceWhileItsRecordsWaitForThePurge()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m1"), [], null, "latest", T0, Ct);
        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0, Ct));

        // The old records are still there (the purge has not run), yet the name makes a new, empty registry.
        Assert.Equal(1, await CountRowsAsync("manifests"));
        var again = await Tenants.CreateRegistryAsync(new NewRegistry("id-web-2", "web", registry.ProjectId, "hash2", 1L << 30, T0), Ct);
        Assert.Equal(again.Id, (await Tenants.GetRegistryAsync("web", Ct))?.Id);
        Assert.Equal(again.Id, (await Tenants.GetCredentialAsync("web", Ct))?.RegistryId);
        Assert.Equal(["web"], (await Tenants.ListRegistriesAsync(registry.ProjectId, Ct)).Select(r => r.Name));
        Assert.Null(await Artifacts.GetRepositoryAsync(again.Id, "app", Ct));

        // A push that found the registry just before the delete creates nothing under it, before or after the purge.
        await Assert.ThrowsAsync<RegistryGoneException>(() => Artifacts.EnsureRepositoryAsync(registry.Id, "late", T0, Ct));
        await PurgeRegistryAsync(registry.Id, batchSize: 1000);
        await Assert.ThrowsAsync<RegistryGoneException>(() => Artifacts.EnsureRepositoryAsync(registry.Id, "late", T0, Ct));
        Assert.Equal(0, await CountRowsAsync("manifests"));
        Assert.Equal(1, await CountRowsAsync("registries"));
        Assert.Equal(again.Id, (await Tenants.GetRegistryAsync("web", Ct))?.Id);
    }

    [Fact]
    public async Task DeletingATagKeepsTheManifest()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, "latest", T0, Ct);

        Assert.True(await Artifacts.DeleteTagAsync(repository.Id, "latest", Ct));
        Assert.False(await Artifacts.DeleteTagAsync(repository.Id, "latest", Ct));
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
        Assert.Equal(ordered, (await Artifacts.ListTagRecordsAsync(repository.Id, Ct)).Select(t => t.Name));
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
        Assert.True(await Artifacts.DeleteManifestAsync(appA.Id, manifest.Digest, Ct));

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

    // ---- uploads

    [Fact]
    public async Task UploadsAreCreatedReadUpdatedAndDeletedWithinTheirRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        var upload = new UploadRecord("u1", registry.Id, "app", 0, T0, T0);
        await Uploads.CreateUploadAsync(upload, 0, 10, Ct);

        Assert.Equal(upload, await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(other.Id, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u2", Ct));

        await Uploads.UpdateUploadSizeAsync("u1", 1234, T0.AddSeconds(30), Ct);
        Assert.Equal(upload with { Size = 1234, UpdatedAt = T0.AddSeconds(30) }, await Uploads.GetUploadAsync(registry.Id, "u1", Ct));

        Assert.True(await Uploads.DeleteUploadAsync("u1", Ct));
        Assert.False(await Uploads.DeleteUploadAsync("u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
    }

    [Fact]
    public async Task StaleUploadsAreThoseNotTouchedSinceTheCutoff()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        await Uploads.CreateUploadAsync(new UploadRecord("old", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("old-elsewhere", other.Id, "app", 0, T0, T0.AddMinutes(1)), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("touched", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("fresh", registry.Id, "app", 0, T0.AddHours(2), T0.AddHours(2)), 0, 10, Ct);
        await Uploads.UpdateUploadSizeAsync("touched", 10, T0.AddHours(3), Ct);

        var stale = await Uploads.ListStaleUploadsAsync(T0.AddHours(1), Ct);

        Assert.Equal(["old", "old-elsewhere"], stale.Select(u => u.Id).Order(StringComparer.Ordinal));
    }

    // ---- bytes held by upload sessions (issue 10: an allocation uploads in flight can't bypass)

    [Fact]
    public async Task UploadSessionsHoldBytesAgainstTheAllocationAndCompletingOneCountsItOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 100, Ct));
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("stored"), 30, T0, null, Ct));

        // A size announced up front is held at the start, or the session is not opened at all.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 50, 10, Ct));
        Assert.Equal(UploadStartResult.OverLimit, await Uploads.CreateUploadAsync(new UploadRecord("u2", registry.Id, "app", 0, T0, T0), 21, 10, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u2", Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u2", registry.Id, "app", 0, T0, T0), 20, 10, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 70), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Full: neither a blob recorded without a session nor one more held byte fits; nothing changes.
        Assert.Equal(BlobAddResult.OverLimit, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("extra"), 1, T0, null, Ct));
        Assert.Equal(50, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 51, 60, T0, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 70), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Ending a session frees what it held; a hold then takes what it needs, and ahead of that at most half of
        // what would be left (70 - 52 = 18 left: 9 more), never more than it wants.
        Assert.True(await Uploads.DeleteUploadAsync("u2", Ct));
        Assert.Equal(61, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 52, 500, T0.AddSeconds(5), Ct));
        Assert.Equal(T0.AddSeconds(5), (await Uploads.GetUploadAsync(registry.Id, "u1", Ct))!.UpdatedAt);
        Assert.Equal(61, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 60, 80, T0, Ct));
        Assert.Equal(63, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 62, 63, T0, Ct));
        Assert.Equal(70, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 70, 80, T0, Ct));

        // Recording the size releases what was held ahead.
        Assert.True(await Uploads.UpdateUploadSizeAsync("u1", 60, T0, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 60), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // 30 stored + 60 held: the session's own 60 bytes become the blob (not counted twice) and the session ends.
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("u1"), 60, T0, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.Equal(new RegistryUsage(90, 1, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Null(await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 1, 1, T0, Ct));

        // A session whose content the registry already holds ends too.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u3", registry.Id, "app", 0, T0, T0), 10, 10, Ct));
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("u1"), 60, T0, "u3", Ct));
        Assert.Equal(new RegistryUsage(90, 1, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task ARegistryOpensAtMostMaxSessionsAtOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        UploadRecord Session(string id, RegistryRecord owner) => new(id, owner.Id, "app", 0, T0, T0);

        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("a", registry), 0, 2, Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("b", registry), 0, 2, Ct));
        Assert.Equal(UploadStartResult.TooManySessions, await Uploads.CreateUploadAsync(Session("c", registry), 0, 2, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "c", Ct));

        // Per registry: another one is not affected; and a session that ends makes room.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("d", other), 0, 2, Ct));
        Assert.True(await Uploads.DeleteUploadAsync("a", Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("c", registry), 0, 2, Ct));

        Assert.Equal(UploadStartResult.RegistryGone, await Uploads.CreateUploadAsync(Session("e", registry with { Id = "missing" }), 0, 2, Ct));
    }

    [Fact]
    public async Task ConcurrentStartsNeverPassTheSessionCap()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            Uploads.CreateUploadAsync(new UploadRecord($"s{i}", registry.Id, "app", 0, T0, T0), 0, 15, Ct))));
        Assert.Equal(15, results.Count(r => r == UploadStartResult.Started));
        Assert.Equal(25, results.Count(r => r == UploadStartResult.TooManySessions));
    }

    [Fact]
    public async Task ConcurrentHoldsFillTheAllocationExactlyAndNeverPastIt()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 1000, Ct));
        for (var i = 0; i < 8; i++)
        {
            await Uploads.CreateUploadAsync(new UploadRecord($"h{i}", registry.Id, "app", 0, T0, T0), 0, 100, Ct);
        }

        // Eight sessions each ask for 7 more bytes (up to 30 ahead) until refused.
        var held = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            long current = 0;
            while (true)
            {
                var after = (await Uploads.HoldUploadBytesAsync(registry.Id, $"h{i}", current + 7, current + 30, T0, Ct))!.Value;
                if (after < current + 7)
                {
                    return after;
                }

                current = after;
            }
        })));

        var usage = await Artifacts.GetUsageAsync(registry.Id, Ct);
        Assert.Equal(held.Sum(), usage.UploadBytes);
        Assert.True(usage.UploadBytes is > 1000 - 7 and <= 1000, $"held {usage.UploadBytes} of 1000 ({string.Join(", ", held)})");
    }

    [Fact]
    public async Task AResizeBelowStoredPlusHeldBytesIsRefusedAndLeavesTheLimit()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("stored"), 30, T0, null, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 40, 10, Ct);

        Assert.Equal(StorageLimitResult.BelowUsage, await Tenants.SetStorageLimitAsync(registry.Id, 69, Ct));
        Assert.Equal(1L << 30, (await Tenants.GetRegistryByIdAsync(registry.Id, Ct))!.StorageLimitBytes);
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 70, Ct));
        Assert.Equal(70, (await Tenants.GetRegistryByIdAsync(registry.Id, Ct))!.StorageLimitBytes);
        Assert.Equal(StorageLimitResult.RegistryGone, await Tenants.SetStorageLimitAsync("missing", 70, Ct));
    }

    // ---- users

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

    // ---- pull statistics

    [Fact]
    public async Task PullBatchesAddUpAcrossCallsAndKeysAndKeepTheLatestPull()
    {
        var repository = await NewRepositoryAsync();
        var (m1, m2) = (Manifest("m1"), Manifest("m2"));
        await Artifacts.PutManifestAsync(repository.Id, m1, [], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, m2, [], null, "v2", T0, Ct);
        var hour = Hour.AddHours(-3);

        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, m1.Digest, hour, 2, hour.AddMinutes(10)),
                new PullCount(repository.Id, m1.Digest, hour, 3, hour.AddMinutes(40)),
                new PullCount(repository.Id, m1.Digest, hour.AddHours(1), 1, hour.AddMinutes(70)),
                new PullCount(repository.Id, m2.Digest, hour, 4, hour.AddMinutes(5)),
            ], Ct);

        // A later batch adds to the same hours; a pull it reports as earlier does not move "last pull" back.
        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, m1.Digest, hour, 10, hour.AddMinutes(20)),
                new PullCount(repository.Id, m2.Digest, hour, 1, hour.AddMinutes(50)),
            ], Ct);
        await PullStats.RecordPullsAsync([], Ct);

        Assert.Equal(
            new[] { new ManifestPullStats(m1.Digest, 16, hour.AddMinutes(70)), new ManifestPullStats(m2.Digest, 5, hour.AddMinutes(50)) }
                .OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            await PullStats.GetManifestPullStatsAsync(repository.Id, Ct));
        var stats = Assert.Single(await PullStats.GetRepositoryPullStatsAsync(repository.RegistryId, Now, Ct));
        Assert.Equal(new RepositoryPullStats("app", 21, hour.AddMinutes(70), 21, 21), stats);
    }

    [Fact]
    public async Task ManifestPullStatsListTheManifestsThatStillExist()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var (kept, deleted, unpulled) = (Manifest("kept"), Manifest("deleted"), Manifest("unpulled"));
        foreach (var manifest in new[] { kept, deleted, unpulled })
        {
            await Artifacts.PutManifestAsync(app.Id, manifest, [], null, null, T0, Ct);
        }

        await Artifacts.PutManifestAsync(db.Id, kept, [], null, null, T0, Ct);
        await PullStats.RecordPullsAsync(
            [
                new PullCount(app.Id, kept.Digest, Hour, 3, Now),
                new PullCount(app.Id, deleted.Digest, Hour, 5, Now),
                new PullCount(app.Id, Digest("never-a-manifest"), Hour, 7, Now),
                new PullCount(db.Id, kept.Digest, Hour, 11, Now),
            ], Ct);
        Assert.True(await Artifacts.DeleteManifestAsync(app.Id, deleted.Digest, Ct));

        Assert.Equal(
            new[] { new ManifestPullStats(kept.Digest, 3, Now), new ManifestPullStats(unpulled.Digest, 0, null) }
                .OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            await PullStats.GetManifestPullStatsAsync(app.Id, Ct));
        Assert.Equal([new ManifestPullStats(kept.Digest, 11, Now)], await PullStats.GetManifestPullStatsAsync(db.Id, Ct));
        Assert.Empty(await PullStats.GetManifestPullStatsAsync(-1, Ct));
    }

    [Fact]
    public async Task RepositoryPullStatsListEveryRepositoryWithDayAndWeekWindowsByTheHour()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "Zed", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var elsewhere = await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        var digest = Digest("m1");

        // Hour is the hour Now falls in (Now = Hour + 30 min). An hour is inside a window when it starts after
        // Now minus the window: 24 hours back reaches Hour - 23 h, 7 days back reaches Hour - 6 d 23 h.
        await PullStats.RecordPullsAsync(
            [
                new PullCount(app.Id, digest, Hour, 1, Hour.AddMinutes(20)),
                new PullCount(app.Id, digest, Hour.AddHours(-23), 2, Hour.AddHours(-23)),
                new PullCount(app.Id, digest, Hour.AddHours(-24), 4, Hour.AddHours(-24)),
                new PullCount(app.Id, digest, Hour.AddDays(-7).AddHours(1), 8, Hour.AddDays(-7).AddHours(1)),
                new PullCount(app.Id, digest, Hour.AddDays(-7), 16, Hour.AddDays(-7)),
                new PullCount(app.Id, digest, Hour.AddDays(-30), 32, Hour.AddDays(-30)),
                new PullCount(elsewhere.Id, digest, Hour, 64, Hour),
            ], Ct);

        Assert.Equal(
            [
                new RepositoryPullStats("Zed", 0, null, 0, 0),
                new RepositoryPullStats("app", 63, Hour.AddMinutes(20), 3, 15),
                new RepositoryPullStats("db", 0, null, 0, 0),
            ],
            await PullStats.GetRepositoryPullStatsAsync(registry.Id, Now, Ct));

        // On the hour the windows hold the same 24 and 168 hours; an hour later each has moved on by one.
        Assert.Equal((3, 15), Windows(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Hour, Ct)));
        Assert.Equal((1, 7), Windows(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Hour.AddHours(1), Ct)));
        Assert.Equal(
            [new RepositoryPullStats("app", 64, Hour, 64, 64)],
            await PullStats.GetRepositoryPullStatsAsync(other.Id, Now, Ct));
        Assert.Empty(await PullStats.GetRepositoryPullStatsAsync("missing", Now, Ct));

        static (long Day, long Week) Windows(IReadOnlyList<RepositoryPullStats> stats)
        {
            var app = Assert.Single(stats, s => s.Repository == "app");
            return (app.PullsLast24Hours, app.PullsLast7Days);
        }
    }

    [Fact]
    public async Task ConcurrentPullBatchesOverTheSameKeysAllCount()
    {
        var repository = await NewRepositoryAsync();
        var manifests = Enumerable.Range(0, 5).Select(i => Manifest($"m{i}")).ToList();
        foreach (var manifest in manifests)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, null, T0, Ct);
        }

        // 8 flushers x 5 batches over the same 20 keys, half of them in reverse order (lock order must not matter).
        var keys = manifests.SelectMany(m => Enumerable.Range(0, 4).Select(h => (m.Digest, Hour: Hour.AddHours(-h)))).ToList();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(flusher => Task.Run(async () =>
        {
            var ordered = flusher % 2 == 0 ? keys : Enumerable.Reverse(keys).ToList();
            for (var batch = 0; batch < 5; batch++)
            {
                await PullStats.RecordPullsAsync(
                    ordered.Select(k => new PullCount(repository.Id, k.Digest, k.Hour, 1, k.Hour.AddMinutes(flusher))).ToList(), Ct);
            }
        })));

        var stats = await PullStats.GetManifestPullStatsAsync(repository.Id, Ct);
        Assert.Equal(5, stats.Count);
        Assert.All(stats, s => Assert.Equal((8 * 5 * 4, Hour.AddMinutes(7)), (s.PullCount, s.LastPulledAt)));
    }

    [Fact]
    public async Task PullCountsGoWithADeletedRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(app.Id, manifest, [], null, "latest", T0, Ct);
        await PullStats.RecordPullsAsync([new PullCount(app.Id, manifest.Digest, Hour, 5, Now)], Ct);
        Assert.Equal(1, await CountRowsAsync("pull_counts"));

        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, Now, Ct));
        await PurgeRegistryAsync(registry.Id, batchSize: 1000);
        Assert.Equal(0, await CountRowsAsync("pull_counts"));

        // The same names again are a new registry and repository, with no pulls of their own.
        var project = (await Tenants.GetProjectAsync("acme", Ct))!;
        var again = await Tenants.CreateRegistryAsync(new NewRegistry("id-web-2", "web", project.Id, "hash", 1L << 30, T0), Ct);
        var appAgain = await Artifacts.EnsureRepositoryAsync(again.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(appAgain.Id, manifest, [], null, "latest", T0, Ct);
        Assert.Equal([new RepositoryPullStats("app", 0, null, 0, 0)], await PullStats.GetRepositoryPullStatsAsync(again.Id, Now, Ct));
        Assert.Equal([new ManifestPullStats(manifest.Digest, 0, null)], await PullStats.GetManifestPullStatsAsync(appAgain.Id, Ct));
        Assert.Empty(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Now, Ct));

        // A batch counted before the delete and flushed after it keeps its other rows and drops the lost repository's.
        await PullStats.RecordPullsAsync(
            [new PullCount(app.Id, manifest.Digest, Hour, 5, Now), new PullCount(appAgain.Id, manifest.Digest, Hour, 2, Now)], Ct);
        Assert.Equal(1, await CountRowsAsync("pull_counts"));
        Assert.Equal([new ManifestPullStats(manifest.Digest, 2, Now)], await PullStats.GetManifestPullStatsAsync(appAgain.Id, Ct));
    }

    // ---- advisories

    [Fact]
    public async Task AdvisoryUpsertsCountWhatEachBatchAddedReplacedAndLeftAsItWas()
    {
        var first = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "a.zip"), Advisory("CVE-3", "a.zip")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(3, 0, 0), first);

        var second = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "b.zip", T0, "fixed in 1.2"), Advisory("GO-4", "b.zip")], T0.AddHours(1), Ct);
        Assert.Equal(new AdvisoryUpsertResult(1, 1, 1), second);

        // The replaced one holds the new JSON, under its new source, modified and import time.
        var expected = new[] { Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "b.zip", T0, "fixed in 1.2"), Advisory("CVE-3", "a.zip"), Advisory("GO-4", "b.zip") };
        Assert.Equal(expected.Select(a => a.Json).Order(StringComparer.Ordinal), (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
        var status = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal(
            [new AdvisorySourceStatus("a.zip", 2, T0, null), new AdvisorySourceStatus("b.zip", 2, T0.AddHours(1), T0)],
            status.Sources);
        Assert.Equal(new AdvisoryUpsertResult(0, 0, 0), await Advisories.UpsertAdvisoriesAsync([], T0, Ct));
        Assert.Equal(4, await CountRowsAsync("advisories"));
    }

    [Fact]
    public async Task AnAdvisoryRepeatedInABatchCountsOnceAndItsLastDocumentWins()
    {
        var added = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip", null, "one"), Advisory("GHSA-2", "a.zip"), Advisory("GHSA-1", "a.zip", null, "two")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(2, 0, 0), added);

        // The first copy is what is stored, the last is not: replaced.
        var updated = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip", null, "two"), Advisory("GHSA-1", "a.zip", null, "three")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(0, 1, 0), updated);
        Assert.Equal(
            new[] { Advisory("GHSA-1", "a.zip", null, "three").Json, Advisory("GHSA-2", "a.zip").Json }.Order(StringComparer.Ordinal),
            (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheAdvisoryVersionStartsAtZeroAndEachBumpMovesItOnByOne()
    {
        Assert.Equal(0, await Advisories.GetAdvisoryVersionAsync(Ct));
        Assert.Equal(0, (await Advisories.GetAdvisoryStatusAsync(Ct)).Version);

        Assert.Equal(1, await Advisories.BumpAdvisoryVersionAsync(Ct));
        Assert.Equal(2, await Advisories.BumpAdvisoryVersionAsync(Ct));
        Assert.Equal(2, await Advisories.GetAdvisoryVersionAsync(Ct));
        Assert.Equal(2, (await Advisories.GetAdvisoryStatusAsync(Ct)).Version);
    }

    [Fact]
    public async Task ConcurrentBumpsEachGetADistinctIncreasingVersion()
    {
        var perBumper = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var versions = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                versions.Add(await Advisories.BumpAdvisoryVersionAsync(Ct));
            }

            return versions;
        })));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), perBumper.SelectMany(v => v).Order());
        Assert.All(perBumper, versions => Assert.Equal(versions.Order(), versions));
        Assert.Equal(40, await Advisories.GetAdvisoryVersionAsync(Ct));
    }

    [Fact]
    public async Task TheStatusCountsAdvisoriesPerSourceWithTheirLastImportAndNewestModifiedTime()
    {
        var empty = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal((0L, 0L, (DateTimeOffset?)null), (empty.Version, empty.AdvisoryCount, empty.LastImportedAt));
        Assert.Empty(empty.Sources);

        await Advisories.UpsertAdvisoriesAsync(
            [Advisory("PYSEC-1", "pypi.zip", T0.AddDays(-3)), Advisory("PYSEC-2", "pypi.zip", T0.AddDays(-1)), Advisory("PYSEC-3", "pypi.zip")], T0, Ct);
        await Advisories.UpsertAdvisoriesAsync([Advisory("GO-1", "go.zip")], T0.AddHours(1), Ct);

        // The same document again, later and from elsewhere, leaves the row as it is: source and import time too.
        Assert.Equal(new AdvisoryUpsertResult(0, 0, 1),
            await Advisories.UpsertAdvisoriesAsync([Advisory("PYSEC-1", "other.zip", T0.AddDays(-3))], T0.AddHours(2), Ct));
        await Advisories.BumpAdvisoryVersionAsync(Ct);

        var status = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal((1L, 4L, (DateTimeOffset?)T0.AddHours(1)), (status.Version, status.AdvisoryCount, status.LastImportedAt));
        Assert.Equal(
            [new AdvisorySourceStatus("go.zip", 1, T0.AddHours(1), null), new AdvisorySourceStatus("pypi.zip", 3, T0, T0.AddDays(-1))],
            status.Sources);
    }

    [Fact]
    public async Task ReadAdvisoriesStreamsEveryStoredDocument()
    {
        Assert.Empty(await ReadAllAdvisoriesAsync());
        var advisories = Enumerable.Range(0, 2500)
            .Select(i => Advisory($"GHSA-{i:D5}", i % 2 == 0 ? "a.zip" : "b.zip", T0.AddMinutes(i), new string('x', i % 100)))
            .ToList();
        Assert.Equal(new AdvisoryUpsertResult(1200, 0, 0), await Advisories.UpsertAdvisoriesAsync(advisories.Take(1200).ToList(), T0, Ct));
        Assert.Equal(new AdvisoryUpsertResult(1300, 0, 0), await Advisories.UpsertAdvisoriesAsync(advisories.Skip(1200).ToList(), T0, Ct));

        Assert.Equal(advisories.Select(a => a.Json).Order(StringComparer.Ordinal), (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(2500, (await Advisories.GetAdvisoryStatusAsync(Ct)).AdvisoryCount);
    }

    [Fact]
    public async Task ReadingAdvisoriesStopsWhenCancelled()
    {
        await Advisories.UpsertAdvisoriesAsync(Enumerable.Range(0, 100).Select(i => Advisory($"GHSA-{i}", "a.zip")).ToList(), T0, Ct);
        using var cancellation = new CancellationTokenSource();
        var read = 0;

        // The token given through WithCancellation reaches the reader ([EnumeratorCancellation]).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Advisories.ReadAdvisoriesAsync(CancellationToken.None).WithCancellation(cancellation.Token))
            {
                read++;
                await cancellation.CancelAsync();
            }
        });
        Assert.Equal(1, read);
    }

    [Fact]
    public async Task ADeletedRegistryLeavesNothingButItsPurgeAndAuditRows()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var survivor = await NewRegistryAsync("acme", "api");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("layer"), 10, T0, null, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [new ManifestLink(Digest("layer"), false, 10)], null, "latest", T0, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await PullStats.RecordPullsAsync([new PullCount(repository.Id, manifest.Digest, Hour, 3, Now)], Ct);
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifest.Digest, T0, Ct));

        // One store object plays every role; the audit log is the one this suite reaches through a cast.
        var auditLog = (IAuditStore)Tenants;
        var audit = new AuditEvent(T0, "admin", "registry.delete", registry.ProjectId, registry.ProjectName, registry.Id, registry.Name, "127.0.0.1", null);
        await auditLog.AppendAuditAsync(audit, Ct);

        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0.AddHours(1), Ct));
        Assert.False(await Tenants.DeleteRegistryAsync(registry.Id, T0.AddHours(2), Ct));

        Assert.Null(await Tenants.GetRegistryByIdAsync(registry.Id, Ct));
        Assert.Null(await Tenants.GetCredentialAsync("web", Ct));
        Assert.Null(await Tenants.GetCredentialGenerationAsync(registry.Id, Ct));
        Assert.Null(await Tenants.ReplacePasswordAsync(registry.Id, "new", T0, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.DoesNotContain(await Tenants.ListRegistriesAsync(registry.ProjectId, Ct), r => r.Id == registry.Id);
        Assert.Equal(StorageLimitResult.RegistryGone, await Tenants.SetStorageLimitAsync(registry.Id, 1L << 31, Ct));
        Assert.Equal(BlobAddResult.RegistryGone, await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("x"), 1, T0, null, Ct));
        Assert.False(await Artifacts.LinkBlobAsync(registry.Id, repository.Id, Digest("layer"), T0, Ct));
        Assert.False(await Uploads.UpdateUploadSizeAsync("u1", 5, T0, Ct));
        Assert.Equal([audit], await auditLog.ListAuditAsync(registry.ProjectId, registry.Id, 10, Ct));
        Assert.NotNull(await Tenants.GetRegistryByIdAsync(survivor.Id, Ct));

        // Its records go with the purge, in batches (here of one row each).
        var batches = await PurgeRegistryAsync(registry.Id, batchSize: 1);
        Assert.True(batches >= 6, $"a registry with a tag, a manifest, a link, a scan, a pull count, a blob link and a blob purged in {batches} batches of one row");
        Assert.False(await Tenants.PurgeRegistryAsync(registry.Id, 1, Ct));
        Assert.Null(await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));
        Assert.Equal(new RegistryUsage(0, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Row by row: nothing of it is left anywhere (the survivor has no rows in these tables), but the purge to do
        // and the audit entry, which outlive it by design.
        foreach (var table in new[] { "repositories", "blobs", "repository_blobs", "manifests", "manifest_links", "tags", "uploads", "scans", "pull_counts" })
        {
            Assert.True(await CountRowsAsync(table) == 0, $"{table} still has rows of the deleted registry");
        }

        Assert.Equal(1, await CountRowsAsync("registries"));
        Assert.Equal(1, await CountRowsAsync("audit_events"));
        Assert.Equal([registry.Id], await Tenants.ListPendingPurgesAsync(Ct));
        await Tenants.CompletePurgeAsync(registry.Id, Ct);
        Assert.Empty(await Tenants.ListPendingPurgesAsync(Ct));
        Assert.Equal(0, await CountRowsAsync("registry_purges"));
    }

    // ---- scans

    [Fact]
    public async Task AQueuedScanIsRecordedWithOnlyItsQueueTime()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        Assert.Null(await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[0].Digest, T0, Ct));

        Assert.Equal(
            new ScanRecord(repository.Id, manifests[0].Digest, ScanStatus.Queued, null, T0, null, null, null, null, null),
            await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct));
    }

    [Fact]
    public async Task AScanOnPushIsQueuedOnlyForAManifestWithoutOne()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;

        Assert.True(await Scans.QueueNewScanAsync(repository.Id, digest, T0, Ct));
        Assert.False(await Scans.QueueNewScanAsync(repository.Id, digest, T0.AddMinutes(1), Ct));
        Assert.Equal(T0, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.QueuedAt);

        // Finished: a re-push leaves it (and its report) alone; only an explicit queue scans it again.
        var claim = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0, Ct))!;
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(3)), Ct));
        Assert.False(await Scans.QueueNewScanAsync(repository.Id, digest, T0.AddMinutes(4), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, "report"), (done.Status, done.ReportJson));

        Assert.False(await Scans.QueueNewScanAsync(repository.Id, Digest("missing"), T0, Ct));
        Assert.Equal(1, await CountRowsAsync("scans"));
    }

    [Fact]
    public async Task AScanNeedsAnExistingManifest()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");

        Assert.False(await Scans.QueueScanAsync(repository.Id, Digest("missing"), T0, Ct));
        Assert.False(await Scans.QueueScanAsync(repository.Id + 1000, manifests[0].Digest, T0, Ct));
        Assert.Equal(0, await CountRowsAsync("scans"));
        Assert.Null(await Scans.GetScanAsync(repository.Id, Digest("missing"), Ct));
    }

    [Fact]
    public async Task QueueingAQueuedOrRunningScanAgainLeavesItAsItIs()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(1), Ct));
        Assert.Equal((ScanStatus.Queued, T0), await StatusAndQueuedAtAsync(repository.Id, digest));

        var claim = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0.AddMinutes(2) - ClaimTimeout, Ct))!;
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(3), Ct));
        var running = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Running, T0, T0.AddMinutes(2)), (running.Status, running.QueuedAt, running.StartedAt));

        // Still the scanner's, and not queued behind its own run.
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(3), T0.AddMinutes(3) - ClaimTimeout, Ct));
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(4)), Ct));
        Assert.Equal(ScanStatus.Done, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.Status);
    }

    [Fact]
    public async Task AFinishedScanQueuedAgainKeepsItsLastResultsUntilTheNextLand()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var version = await Advisories.BumpAdvisoryVersionAsync(Ct);
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(version, "report-1", T0.AddMinutes(1)), Ct));
        var done = new ScanRecord(repository.Id, digest, ScanStatus.Done, null, T0, T0, T0.AddMinutes(1), version, Summary, "report-1");
        Assert.Equal(done, await Scans.GetScanAsync(repository.Id, digest, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(2), Ct));
        Assert.Equal(done with { Status = ScanStatus.Queued, QueuedAt = T0.AddMinutes(2) }, await Scans.GetScanAsync(repository.Id, digest, Ct));

        // The next run replaces them.
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(3), T0, Ct))!;
        Assert.Equal(digest, again.ManifestDigest);
        var summary = new ScanSummary(0, 0, 0, 0, 1);
        Assert.True(await Scans.CompleteScanAsync(again, DoneOutcome(version, "report-2", T0.AddMinutes(4)) with { Summary = summary }, Ct));
        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Done, null, T0.AddMinutes(2), T0.AddMinutes(3), T0.AddMinutes(4), version, summary, "report-2"),
            await Scans.GetScanAsync(repository.Id, digest, Ct));

        // A failed run too: it is stored as it ended, with its reason, and queued again keeps that.
        var third = await QueueAndClaimAsync(repository.Id, digest, T0.AddMinutes(5));
        Assert.True(await Scans.CompleteScanAsync(third, FailedOutcome("manifest blob missing", T0.AddMinutes(6)), Ct));
        var failed = new ScanRecord(repository.Id, digest, ScanStatus.Failed, "manifest blob missing", T0.AddMinutes(5), T0.AddMinutes(5), T0.AddMinutes(6), null, null, null);
        Assert.Equal(failed, await Scans.GetScanAsync(repository.Id, digest, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(7), Ct));
        Assert.Equal(failed with { Status = ScanStatus.Queued, QueuedAt = T0.AddMinutes(7) }, await Scans.GetScanAsync(repository.Id, digest, Ct));
    }

    [Fact]
    public async Task ClaimsTakeTheLongestQueuedScanFirst()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2", "m3");
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[0].Digest, T0.AddSeconds(2), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[2].Digest, T0.AddSeconds(1), Ct));

        var now = T0.AddMinutes(1);
        var claimed = new List<string>();
        while (await Scans.ClaimScanAsync(now, now - ClaimTimeout, Ct) is { } claim)
        {
            claimed.Add(claim.ManifestDigest);
        }

        Assert.Equal([manifests[1].Digest, manifests[2].Digest, manifests[0].Digest], claimed);
    }

    [Fact]
    public async Task AClaimCarriesWhatTheScannerNeedsAndMarksTheScanRunning()
    {
        var (registry, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        Assert.Null(await Scans.ClaimScanAsync(T0, T0 - ClaimTimeout, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0, Ct));

        var claim = await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct);

        Assert.NotNull(claim);
        Assert.Equal((registry.Id, repository.Id, "app", digest, T0.AddMinutes(1)),
            (claim.RegistryId, claim.RepositoryId, claim.Repository, claim.ManifestDigest, claim.ClaimedAt));
        Assert.Matches("^[0-9a-f]{32}$", claim.ClaimId);
        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Running, null, T0, T0.AddMinutes(1), null, null, null, null),
            await Scans.GetScanAsync(repository.Id, digest, Ct));
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct));
    }

    [Fact]
    public async Task ConcurrentClaimsOfOneQueuedScanHaveExactlyOneWinner()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;

        // Several rounds, the claimers released together each time: a race has more than one chance to show.
        for (var round = 0; round < 5; round++)
        {
            var now = T0.AddMinutes(round);
            Assert.True(await Scans.QueueScanAsync(repository.Id, digest, now, Ct));
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claiming = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await Scans.ClaimScanAsync(now, now - ClaimTimeout, Ct);
            })).ToList();
            start.SetResult();
            var claims = await Task.WhenAll(claiming);

            var winner = Assert.Single(claims, c => c is not null);
            Assert.Equal(digest, winner!.ManifestDigest);
            Assert.True(await Scans.CompleteScanAsync(winner, DoneOutcome(0, $"report-{round}", now), Ct));
        }
    }

    [Fact]
    public async Task ConcurrentScannersShareTheQueueWithoutTakingAScanTwice()
    {
        var seeds = Enumerable.Range(0, 12).Select(i => $"m{i}").ToArray();
        var (_, repository, manifests) = await NewScannedRepositoryAsync(seeds);
        for (var i = 0; i < manifests.Length; i++)
        {
            Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[i].Digest, T0.AddSeconds(i), Ct));
        }

        var perScanner = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var claims = new List<ScanClaim>();
            while (await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct) is { } claim)
            {
                claims.Add(claim);
            }

            return claims;
        })));

        var all = perScanner.SelectMany(c => c).ToList();
        Assert.Equal(manifests.Select(m => m.Digest).Order(StringComparer.Ordinal), all.Select(c => c.ManifestDigest).Order(StringComparer.Ordinal));
        Assert.Equal(all.Count, all.Select(c => c.ClaimId).Distinct().Count());
    }

    [Fact]
    public async Task ARunningScanWhoseClaimWentStaleIsClaimedAgain()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var first = await QueueAndClaimAsync(repository.Id, digest, T0);

        // Claimed at T0: not before T0, so not stale yet.
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(5), T0, Ct));

        var second = await Scans.ClaimScanAsync(T0.AddMinutes(11), T0.AddMinutes(1), Ct);
        Assert.NotNull(second);
        Assert.Equal((digest, T0.AddMinutes(11)), (second.ManifestDigest, second.ClaimedAt));
        Assert.NotEqual(first.ClaimId, second.ClaimId);
        Assert.Equal(T0.AddMinutes(11), (await Scans.GetScanAsync(repository.Id, digest, Ct))!.StartedAt);

        // The scanner that died (or merely stalled) no longer holds it; the new one does.
        Assert.False(await Scans.CompleteScanAsync(first, DoneOutcome(0, "late", T0.AddMinutes(12)), Ct));
        Assert.True(await Scans.CompleteScanAsync(second, DoneOutcome(0, "fresh", T0.AddMinutes(13)), Ct));
        Assert.Equal("fresh", (await Scans.GetScanAsync(repository.Id, digest, Ct))!.ReportJson);
    }

    [Fact]
    public async Task CompletingNeedsTheClaimThatStillHolds()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2");
        var digest = manifests[0].Digest;
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        Assert.False(await Scans.CompleteScanAsync(claim with { ClaimId = Guid.NewGuid().ToString("N") }, DoneOutcome(0, "forged", T0), Ct));
        var running = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Running, (string?)null), (running.Status, running.ReportJson));

        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.False(await Scans.CompleteScanAsync(claim, FailedOutcome("again", T0.AddMinutes(2)), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, "report"), (done.Status, done.ReportJson));

        // A scan whose manifest went meanwhile.
        var gone = await QueueAndClaimAsync(repository.Id, manifests[1].Digest, T0);
        Assert.True(await Artifacts.DeleteManifestAsync(repository.Id, manifests[1].Digest, Ct));
        Assert.False(await Scans.CompleteScanAsync(gone, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.Null(await Scans.GetScanAsync(repository.Id, manifests[1].Digest, Ct));
    }

    [Fact]
    public async Task AnOutcomeIsDoneOrFailedOrAHandBack()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        await Assert.ThrowsAsync<ArgumentException>(
            () => Scans.CompleteScanAsync(claim, DoneOutcome(0, "r", T0) with { Status = ScanStatus.Running }, Ct));
        Assert.Equal(ScanStatus.Running, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.Status);

        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "first", T0.AddMinutes(1)), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(2), Ct));
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(3), T0, Ct))!;

        // Handed back (its scanner shuts down): queued as it was, previous report kept, claimable at once by anyone.
        var handBack = new ScanOutcome(ScanStatus.Queued, null, null, null, null, T0.AddMinutes(4));
        Assert.True(await Scans.CompleteScanAsync(again, handBack, Ct));
        Assert.False(await Scans.CompleteScanAsync(again, handBack, Ct));
        var queued = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Queued, "first"), (queued.Status, queued.ReportJson));
        var next = await Scans.ClaimScanAsync(T0.AddMinutes(5), T0, Ct);
        Assert.Equal(digest, next?.ManifestDigest);
        Assert.NotEqual(again.ClaimId, next!.ClaimId);
    }

    [Fact]
    public async Task ADoneScanAgainstAnOlderAdvisoryVersionIsStoredQueuedWithItsReport()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var matched = await Advisories.BumpAdvisoryVersionAsync(Ct);
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        // An import landed while the scan ran.
        var current = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(matched, "report-1", T0.AddMinutes(1)), Ct));

        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Queued, null, T0.AddMinutes(1), T0, T0.AddMinutes(1), matched, Summary, "report-1"),
            await Scans.GetScanAsync(repository.Id, digest, Ct));

        // Claimed again, and done against the current version it stays done.
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0, Ct))!;
        Assert.Equal(digest, again.ManifestDigest);
        Assert.True(await Scans.CompleteScanAsync(again, DoneOutcome(current, "report-2", T0.AddMinutes(3)), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, (long?)current, "report-2"), (done.Status, done.AdvisoryVersion, done.ReportJson));
    }

    [Fact]
    public async Task QueueOutdatedScansQueuesAgainTheFinishedScansOfOlderVersions()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("done-v1", "done-v2", "failed-v1", "failed-unmatched", "running", "queued");
        var digests = manifests.Select(m => m.Digest).ToArray();
        var v1 = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[0], T0), DoneOutcome(v1, "r0", T0), Ct));
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[2], T0),
            FailedOutcome("timeout", T0) with { AdvisoryVersion = v1 }, Ct));
        var v2 = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[1], T0), DoneOutcome(v2, "r1", T0), Ct));
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[3], T0), FailedOutcome("unreadable", T0), Ct));
        await QueueAndClaimAsync(repository.Id, digests[4], T0);
        Assert.True(await Scans.QueueScanAsync(repository.Id, digests[5], T0, Ct));

        Assert.Equal(2, await Scans.QueueOutdatedScansAsync(v2, T0.AddHours(1), Ct));

        Assert.Equal((ScanStatus.Queued, T0.AddHours(1)), await StatusAndQueuedAtAsync(repository.Id, digests[0]));
        Assert.Equal("r0", (await Scans.GetScanAsync(repository.Id, digests[0], Ct))!.ReportJson);
        Assert.Equal((ScanStatus.Done, T0), await StatusAndQueuedAtAsync(repository.Id, digests[1]));
        Assert.Equal((ScanStatus.Queued, T0.AddHours(1)), await StatusAndQueuedAtAsync(repository.Id, digests[2]));
        Assert.Equal((ScanStatus.Failed, T0), await StatusAndQueuedAtAsync(repository.Id, digests[3]));
        Assert.Equal((ScanStatus.Running, T0), await StatusAndQueuedAtAsync(repository.Id, digests[4]));
        Assert.Equal((ScanStatus.Queued, T0), await StatusAndQueuedAtAsync(repository.Id, digests[5]));

        Assert.Equal(0, await Scans.QueueOutdatedScansAsync(v2, T0.AddHours(2), Ct));
        Assert.Equal(1, await Scans.QueueOutdatedScansAsync(v2 + 1, T0.AddHours(2), Ct));
        Assert.Equal((ScanStatus.Queued, T0.AddHours(2)), await StatusAndQueuedAtAsync(repository.Id, digests[1]));
    }

    [Fact]
    public async Task AScanGoesWithItsManifestItsRepositoryAndItsRegistry()
    {
        var (web, app, appManifests) = await NewScannedRepositoryAsync("m1", "m2");
        var db = await Artifacts.EnsureRepositoryAsync(web.Id, "db", T0, Ct);
        await Artifacts.PutManifestAsync(db.Id, Manifest("m3"), [], null, null, T0, Ct);
        var api = await NewRegistryAsync("acme", "api");
        var other = await Artifacts.EnsureRepositoryAsync(api.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        var claim = await QueueAndClaimAsync(app.Id, appManifests[0].Digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0), Ct));
        Assert.True(await Scans.QueueScanAsync(app.Id, appManifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(db.Id, Manifest("m3").Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(other.Id, Manifest("m1").Digest, T0, Ct));
        Assert.Equal(4, await CountRowsAsync("scans"));

        Assert.True(await Artifacts.DeleteManifestAsync(app.Id, appManifests[0].Digest, Ct));
        Assert.Equal(3, await CountRowsAsync("scans"));
        Assert.Null(await Scans.GetScanAsync(app.Id, appManifests[0].Digest, Ct));

        await Artifacts.DeleteRepositoryAsync(web.Id, app.Id, T0, Ct);
        await PurgeRepositoryAsync(app.Id, batchSize: 1000);
        Assert.Equal(2, await CountRowsAsync("scans"));
        Assert.Empty(await Scans.ListScansAsync(app.Id, Ct));

        Assert.True(await Tenants.DeleteRegistryAsync(web.Id, T0, Ct));
        await PurgeRegistryAsync(web.Id, batchSize: 1000);
        Assert.Equal(1, await CountRowsAsync("scans"));
        Assert.Empty(await Scans.ListScansAsync(db.Id, Ct));

        // Another registry's scan of the same digest stays.
        Assert.Equal(ScanStatus.Queued, (await Scans.GetScanAsync(other.Id, Manifest("m1").Digest, Ct))?.Status);

        // The same manifest pushed again starts with no scan.
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        Assert.True(await Artifacts.DeleteManifestAsync(other.Id, Manifest("m1").Digest, Ct));
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        Assert.Null(await Scans.GetScanAsync(other.Id, Manifest("m1").Digest, Ct));
    }

    [Fact]
    public async Task ListScansGivesEveryScanOfTheRepositoryWithoutReports()
    {
        var (registry, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2", "m3");
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        await Artifacts.PutManifestAsync(db.Id, Manifest("m4"), [], null, null, T0, Ct);
        var claim = await QueueAndClaimAsync(repository.Id, manifests[0].Digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(db.Id, Manifest("m4").Digest, T0, Ct));

        var listed = await Scans.ListScansAsync(repository.Id, Ct);

        var done = (await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct))!;
        Assert.Equal("report", done.ReportJson);
        var queued = (await Scans.GetScanAsync(repository.Id, manifests[1].Digest, Ct))!;
        Assert.Equal(
            new[] { done with { ReportJson = null }, queued }.OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            listed.OrderBy(s => s.ManifestDigest, StringComparer.Ordinal));
        Assert.Empty(await Scans.ListScansAsync(-1, Ct));
    }

    // ---- helpers

    protected static string Digest(string seed) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    protected static ManifestRecord Manifest(string seed, string? subject = null, string? artifactType = null)
    {
        var content = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"seed":"{{seed}}"}""");
        return new ManifestRecord(
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)),
            "application/vnd.oci.image.manifest.v1+json",
            content,
            artifactType,
            subject,
            T0);
    }

    protected async Task<RegistryRecord> NewRegistryAsync(string project, string registry)
    {
        var projectRecord = await Tenants.GetProjectAsync(project, Ct)
            ?? await Tenants.CreateProjectAsync("id-" + project, project, T0, Ct);
        return await Tenants.CreateRegistryAsync(
            new NewRegistry("id-" + registry, registry, projectRecord.Id, "hash", 1L << 30, T0), Ct);
    }

    /// <summary>Runs a repository purge to the end: the number of batches and every digest it unlinked.</summary>
    private async Task<(int Batches, List<string> Unlinked)> PurgeRepositoryAsync(long repositoryId, int batchSize)
    {
        var unlinked = new List<string>();
        for (var batches = 1; ; batches++)
        {
            Assert.True(batches < 10_000, "the repository purge does not end");
            var step = await Artifacts.PurgeRepositoryAsync(repositoryId, batchSize, Ct);
            Assert.True(step.UnlinkedDigests.Count <= batchSize, $"a batch of {batchSize} unlinked {step.UnlinkedDigests.Count} blobs");
            unlinked.AddRange(step.UnlinkedDigests);
            if (!step.More)
            {
                return (batches, unlinked);
            }
        }
    }

    /// <summary>Runs a registry purge to the end (its records; the content is the caller's): the number of batches.</summary>
    private async Task<int> PurgeRegistryAsync(string registryId, int batchSize)
    {
        for (var batches = 1; ; batches++)
        {
            Assert.True(batches < 10_000, "the registry purge does not end");
            if (!await Tenants.PurgeRegistryAsync(registryId, batchSize, Ct))
            {
                return batches;
            }
        }
    }

    private async Task<RepositoryRecord> NewRepositoryAsync()
    {
        var registry = await NewRegistryAsync("acme", "web");
        return await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
    }

    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    private static readonly ScanSummary Summary = new(1, 2, 3, 4, 5);

    private static AdvisoryDocument Advisory(string id, string source, DateTimeOffset? modified = null, string details = "") =>
        new(id, source, modified, $$"""{"id":"{{id}}","details":"{{details}}"}""");

    private static ScanOutcome DoneOutcome(long advisoryVersion, string report, DateTimeOffset finishedAt) =>
        new(ScanStatus.Done, null, advisoryVersion, Summary, report, finishedAt);

    private static ScanOutcome FailedOutcome(string reason, DateTimeOffset finishedAt) =>
        new(ScanStatus.Failed, reason, null, null, null, finishedAt);

    private async Task<List<string>> ReadAllAdvisoriesAsync()
    {
        var documents = new List<string>();
        await foreach (var json in Advisories.ReadAdvisoriesAsync(Ct))
        {
            documents.Add(json);
        }

        return documents;
    }

    /// <summary>Registry "web" with repository "app" holding one manifest per seed (no scans yet).</summary>
    private async Task<(RegistryRecord Registry, RepositoryRecord Repository, ManifestRecord[] Manifests)> NewScannedRepositoryAsync(params string[] seeds)
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var manifests = seeds.Select(seed => Manifest(seed)).ToArray();
        foreach (var manifest in manifests)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, null, T0, Ct);
        }

        return (registry, repository, manifests);
    }

    /// <summary>Queues the manifest's scan and claims it, at <paramref name="at"/>; nothing else may be waiting.</summary>
    private async Task<ScanClaim> QueueAndClaimAsync(long repositoryId, string digest, DateTimeOffset at)
    {
        Assert.True(await Scans.QueueScanAsync(repositoryId, digest, at, Ct));
        var claim = await Scans.ClaimScanAsync(at, at - ClaimTimeout, Ct);
        Assert.NotNull(claim);
        Assert.Equal(digest, claim.ManifestDigest);
        return claim;
    }

    private async Task<(ScanStatus Status, DateTimeOffset QueuedAt)> StatusAndQueuedAtAsync(long repositoryId, string digest)
    {
        var scan = await Scans.GetScanAsync(repositoryId, digest, Ct);
        Assert.NotNull(scan);
        return (scan.Status, scan.QueuedAt);
    }

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
