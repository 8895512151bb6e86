using System.Net;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// docs/api.md, "Delete": the purge is recorded with the delete and resumes after a restart. The server is killed
/// (SIGKILL) while the purge waits out a one-hour delay, then started again without the delay: the purge finishes.
/// </summary>
public sealed class PurgeAfterKillTests : IAsyncLifetime
{
    private static readonly TimeSpan PurgeWait = TimeSpan.FromSeconds(20);

    private readonly string _workDir = TempDirs.Create("berth-work");
    private BerthProcess _delayed = null!;
    private BerthProcess? _restarted;

    public async Task InitializeAsync() =>
        _delayed = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Berth__Registries__PurgeDelay"] = "01:00:00",
        });

    public async Task DisposeAsync()
    {
        if (_restarted is not null)
        {
            await _restarted.DisposeAsync();
        }

        // Owns the data directory: disposed last.
        await _delayed.DisposeAsync();
        TempDirs.TryDelete(_workDir);
    }

    [Fact]
    public async Task PurgeInterruptedByAKillResumesAtTheNextStart()
    {
        var skopeo = new Skopeo(Path.Combine(_workDir, "skopeo"));
        var image = new OciImageBuilder { Seed = 3301, LayerCount = 2, Tag = "v1", FileSize = 16 * 1024 }.Build(Path.Combine(_workDir, "layout"));
        CreatedRegistry a, b;
        string aId, bId;
        using (var admin = new ManagementClient(_delayed.BaseUrl, "admin", _delayed.AdminPassword))
        {
            var project = await admin.CreateProjectAsync(Names.Unique("kp"));
            (b, bId) = await CreateAndPushAsync(admin, skopeo, project.Name, "kb", image);
            (a, aId) = await CreateAndPushAsync(admin, skopeo, project.Name, "ka", image);

            using var deleted = await DeleteRegistryAsync(admin, a.Name, a.Name);
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
                $"delete of {a.Name}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.NotFound, await DetailStatusAsync(admin, a.Name));
        }

        // Gone for clients at once, but the purge is still waiting: A's blobs are on disk.
        using (var basic = await BasicAsync(_delayed, HttpMethod.Get, "v2/", a.Username, a.Password))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.Unauthorized, "A's credentials after the delete");
        }

        await Task.Delay(500);
        var pending = BlobTree.Files(_delayed.DataDir, aId);
        Assert.True(pending.Count >= image.Blobs.Count(),
            $"with a one-hour purge delay, A's {image.Blobs.Count()} blobs should still be on disk, found {pending.Count} files\n{_delayed.OutputTail()}");

        // SIGKILL: no graceful shutdown, nothing flushed at exit.
        await _delayed.StopAsync();

        _restarted = await BerthProcess.StartAsync(_delayed.DataDir, _delayed.AdminPassword);
        var purged = await EventuallyAsync(() => BlobTree.Files(_restarted.DataDir, aId).Count == 0, PurgeWait);
        Assert.True(purged, $"after the restart without delay, files of deleted registry {aId} are still on disk after "
            + $"{PurgeWait.TotalSeconds:0} s: {string.Join(", ", BlobTree.Files(_restarted.DataDir, aId))}\n{_restarted.OutputTail()}");

        // B: untouched, still serving the identical image.
        foreach (var (digest, size) in image.Blobs)
        {
            var file = BlobTree.BlobFile(_restarted.DataDir, bId, digest);
            Assert.True(File.Exists(file), $"B's blob {digest} is gone");
            Assert.Equal(size, new FileInfo(file).Length);
        }

        using var admin2 = new ManagementClient(_restarted.BaseUrl, "admin", _restarted.AdminPassword);
        Assert.Equal(image.Blobs.Sum(x => x.Size), (await admin2.GetRegistryAsync(b.Name)).StorageUsageBytes);
        Assert.Equal(HttpStatusCode.NotFound, await DetailStatusAsync(admin2, a.Name));
        var bRestarted = b with { Endpoint = $"{_restarted.Host}/{b.Name}" };
        await AssertPullsIdenticalAsync(skopeo, Directory.CreateDirectory(Path.Combine(_workDir, "pulled")).FullName, Skopeo.Docker(bRestarted.Image("app", "v1")), b.Creds, image,
            "B after A's purge resumed");
        using var aAfter = await BasicAsync(_restarted, HttpMethod.Get, "v2/", a.Username, a.Password);
        await OciAssert.StatusAsync(aAfter, HttpStatusCode.Unauthorized, "A's credentials after the restart");
    }

    private async Task<(CreatedRegistry Registry, string Id)> CreateAndPushAsync(ManagementClient admin, Skopeo skopeo, string project,
        string prefix, OciImage image)
    {
        var before = BlobTree.RegistryIds(_delayed.DataDir);
        var registry = await admin.CreateRegistryAsync(project, Names.Unique(prefix));
        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        return (registry, BlobTree.NewRegistryId(before, BlobTree.RegistryIds(_delayed.DataDir)));
    }
}

/// <summary>
/// docs/api.md, "Delete", and issue 3 ("kill during purge then restart leaves no file of the deleted registry"): the
/// server is SIGKILLed while a purge is really running — some of the deleted registry's files already removed, others
/// not — then started again on the same data directory: the purge resumes and finishes, and another registry holding
/// identical layers and blobs is untouched. No purge delay: the registry is made big enough (a couple of thousand blobs)
/// that removing it takes long enough to be caught in the middle.
/// </summary>
public sealed class PurgeInterruptedByAKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BlobCount = 2000;
    private const int SharedBlobCount = 50;
    private static readonly TimeSpan PurgeWait = TimeSpan.FromSeconds(90);

    private readonly string _workDir = TempDirs.Create("berth-work");
    private BerthProcess _first = null!;
    private BerthProcess? _restarted;

    public async Task InitializeAsync() => _first = await BerthProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_restarted is not null)
        {
            await _restarted.DisposeAsync();
        }

        // Owns the data directory: disposed last.
        await _first.DisposeAsync();
        TempDirs.TryDelete(_workDir);
    }

    [Fact]
    public async Task KillInTheMiddleOfAPurgeResumesAtRestartAndLeavesNothingOfTheRegistry()
    {
        var skopeo = new Skopeo(Path.Combine(_workDir, "skopeo"));
        var image = new OciImageBuilder { Seed = 3311, LayerCount = 2, Tag = "v1", FileSize = 16 * 1024 }.Build(Path.Combine(_workDir, "layout"));
        var blobs = Enumerable.Range(0, BlobCount).Select(_ => ImageContent.RandomBlob(256)).ToList();
        var shared = blobs.Take(SharedBlobCount).ToList();
        CreatedRegistry a, b;
        string aId, bId;
        int aFiles;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var admin = new ManagementClient(_first.BaseUrl, "admin", _first.AdminPassword))
        {
            var project = await admin.CreateProjectAsync(Names.Unique("kp"));
            (b, bId) = await CreateAndPushAsync(admin, skopeo, project.Name, "kb", image);
            (a, aId) = await CreateAndPushAsync(admin, skopeo, project.Name, "ka", image);
            await PushBlobsAsync(b, b.Repo("raw"), shared);
            await PushBlobsAsync(a, a.Repo("raw"), blobs);
            aFiles = BlobTree.Files(_first.DataDir, aId).Count;
            Assert.True(aFiles >= BlobCount + image.Blobs.Count(), $"A holds {aFiles} files, expected at least {BlobCount + image.Blobs.Count()}");
            output.WriteLine($"pushed {BlobCount} blobs into A in {clock.Elapsed.TotalSeconds:0.0} s; A holds {aFiles} files");

            using var deleted = await DeleteRegistryAsync(admin, a.Name, a.Name);
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
                $"delete of {a.Name}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
        }

        // As soon as the purge is seen removing files, SIGKILL the server.
        clock.Restart();
        var started = await EventuallyFastAsync(() => BlobTree.Files(_first.DataDir, aId).Count < aFiles, TimeSpan.FromSeconds(30));
        await _first.StopAsync();
        var remaining = BlobTree.Files(_first.DataDir, aId).Count;
        output.WriteLine($"purge seen running after {clock.Elapsed.TotalMilliseconds:0} ms: {started}; killed with {remaining} of {aFiles} files left");
        Assert.True(started, $"the purge of A did not remove any of its {aFiles} files within 30 s\n{_first.OutputTail()}");
        Assert.True(remaining > 0, $"the purge of A's {aFiles} files finished before the kill landed; the test needs a bigger registry");

        // Interrupted for real: some files gone, others still there; the database still lists the purge as pending.
        Assert.True(remaining < aFiles, $"no file of A was removed before the kill ({remaining} of {aFiles})");
        Assert.True(PurgePending(_first.DataDir, aId), "the interrupted purge is not recorded as pending in the database");

        _restarted = await BerthProcess.StartAsync(_first.DataDir, _first.AdminPassword);
        clock.Restart();
        var purged = await EventuallyAsync(() => !Directory.Exists(BlobTree.RegistryDir(_restarted.DataDir, aId)), PurgeWait);
        output.WriteLine($"purge resumed and finished {clock.Elapsed.TotalMilliseconds:0} ms after the restart: {purged}");
        Assert.True(purged, $"after the restart, files of deleted registry {aId} are still on disk after {PurgeWait.TotalSeconds:0} s: "
            + $"{BlobTree.Files(_restarted.DataDir, aId).Count} files\n{_restarted.OutputTail()}");
        Assert.True(await EventuallyAsync(() => !PurgePending(_restarted.DataDir, aId), TimeSpan.FromSeconds(10)),
            "the finished purge is still recorded as pending");
        Assert.Empty(RecordedBlobs(_restarted.DataDir, aId));

        // B: every blob (the image's layers and the raw blobs A held too) intact, its usage a recount, and the image
        // pulls byte-identical.
        using var admin2 = new ManagementClient(_restarted.BaseUrl, "admin", _restarted.AdminPassword);
        Assert.Equal(HttpStatusCode.NotFound, await DetailStatusAsync(admin2, a.Name));
        var bExpected = image.Blobs.Select(x => x.Digest).Concat(shared.Select(x => ImageContent.DigestOf(x))).ToList();
        await AssertStoreConsistentAsync(admin2, _restarted.DataDir, b.Name, bId, bExpected, "B after A's purge was killed and resumed");
        Assert.Equal(image.Blobs.Sum(x => x.Size) + shared.Sum(x => (long)x.Length), (await admin2.GetRegistryAsync(b.Name)).StorageUsageBytes);
        var bRestarted = b with { Endpoint = $"{_restarted.Host}/{b.Name}" };
        await AssertPullsIdenticalAsync(skopeo, Directory.CreateDirectory(Path.Combine(_workDir, "pulled")).FullName,
            Skopeo.Docker(bRestarted.Image("app", "v1")), b.Creds, image, "B after A's interrupted purge resumed");
        using var bClient = new RegistryClient(_restarted.BaseUrl, b.Username, b.Password, RegistryAuthMode.Basic);
        foreach (var blob in shared.Take(5))
        {
            using var get = await bClient.GetAsync($"v2/{b.Repo("raw")}/blobs/{ImageContent.DigestOf(blob)}");
            await OciAssert.StatusAsync(get, HttpStatusCode.OK, "a raw blob of B that A held too");
            Assert.True((await get.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(blob), "a raw blob of B changed");
        }

        using var aAfter = await BasicAsync(_restarted, HttpMethod.Get, "v2/", a.Username, a.Password);
        await OciAssert.StatusAsync(aAfter, HttpStatusCode.Unauthorized, "A's credentials after the restart");
    }

    /// <summary>Monolithic pushes of <paramref name="blobs"/> into <paramref name="repository"/>, a few at a time.</summary>
    private async Task PushBlobsAsync(CreatedRegistry registry, string repository, List<byte[]> blobs)
    {
        var next = -1;
        var workers = Enumerable.Range(0, 6).Select(async _ =>
        {
            using var client = new RegistryClient(_first.BaseUrl, registry.Username, registry.Password, RegistryAuthMode.Basic);
            int i;
            while ((i = Interlocked.Increment(ref next)) < blobs.Count)
            {
                using var response = await client.PostBlobMonolithicAsync(repository, blobs[i]);
                await OciAssert.StatusAsync(response, HttpStatusCode.Created, $"raw blob #{i} into {repository}\n{_first.OutputTail()}");
            }
        });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>Polls as fast as the check allows (no sleep between checks) until it holds or the timeout passes.</summary>
    private static async Task<bool> EventuallyFastAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Yield();
        }

        return true;
    }

    private async Task<(CreatedRegistry Registry, string Id)> CreateAndPushAsync(ManagementClient admin, Skopeo skopeo, string project,
        string prefix, OciImage image)
    {
        var before = BlobTree.RegistryIds(_first.DataDir);
        var registry = await admin.CreateRegistryAsync(project, Names.Unique(prefix));
        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        return (registry, BlobTree.NewRegistryId(before, BlobTree.RegistryIds(_first.DataDir)));
    }
}
