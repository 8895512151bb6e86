using System.Net;
using Berth.Registry.Tests.Infrastructure;
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
