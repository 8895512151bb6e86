using Berth.Core;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Issue 10, section 2, with real clients: skopeo and podman pushing into a registry with 0.5 MiB of its 3 MiB left
/// fail with the registry's message (usage, allocation, what to do), leave nothing held, and a push that fits works.
/// </summary>
public sealed class NearlyFullRegistryPushTests(SmallAllocationFixture fixture) : IClassFixture<SmallAllocationFixture>, IDisposable
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));
    private readonly Podman _podman = new(fixture.NewDir("podman"));

    public void Dispose() => _podman.Dispose();

    [Fact]
    public async Task SkopeoAndPodmanPushesPastTheRoomLeftFailClearlyAndOnesThatFitWork()
    {
        var big = new OciImageBuilder { Seed = 10201, LayerCount = 2, FilesPerLayer = 3, FileSize = 288 * 1024, Tag = "big" }.Build(fixture.NewDir("big"));
        var small = new OciImageBuilder { Seed = 10202, LayerCount = 1, FilesPerLayer = 2, FileSize = 32 * 1024, Tag = "small" }.Build(fixture.NewDir("small"));
        (await _podman.PullAsync(big.OciReference)).EnsureSuccess();
        (await _podman.PullAsync(small.OciReference)).EnsureSuccess();

        foreach (var tool in new[] { "skopeo", "podman" })
        {
            var registry = await fixture.NewRegistryAsync("nf");
            using (var client = fixture.Client(registry))
            {
                await client.PushBlobAsync(registry.Repo("filler"), ImageContent.RandomBlob((int)(2.5 * ByteSize.MiB)));
            }

            var stored = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
            Assert.True(big.Blobs.Sum(b => b.Size) > SmallAllocationFixture.DefaultLimit - stored, "the big image fits the room left");

            var refused = await PushAsync(tool, registry, big);
            Assert.False(refused.Succeeded, $"{tool} pushed past the allocation: {refused}");
            Assert.Contains("storage limit exceeded", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains(ByteSize.Format(SmallAllocationFixture.DefaultLimit), refused.Stderr, StringComparison.Ordinal);

            // The failed push holds nothing once its client is gone (a refused session ends; an interrupted one keeps
            // only what it had accepted, here nothing, as no layer fits).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            RegistryDetail detail;
            while ((detail = await fixture.Admin.GetRegistryAsync(registry.Name)).UploadBytes != 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{tool}: {detail.UploadBytes} bytes still held after the failed push" + fixture.ServerLog);
                await Task.Delay(100);
            }

            Assert.True(detail.StorageUsageBytes <= SmallAllocationFixture.DefaultLimit, $"{tool}: usage {detail.StorageUsageBytes} past the allocation");

            (await PushAsync(tool, registry, small)).EnsureSuccess();
            var after = await fixture.Admin.GetRegistryAsync(registry.Name);
            Assert.Equal(0, after.UploadBytes);
            Assert.InRange(after.StorageUsageBytes, stored + 1, SmallAllocationFixture.DefaultLimit);
            if (tool == "skopeo")
            {
                // skopeo copies the layout's blobs as they are (podman recompresses from its own storage).
                Assert.Equal(stored + small.Blobs.Sum(b => b.Size), after.StorageUsageBytes);
            }
        }
    }

    private Task<ProcessResult> PushAsync(string tool, CreatedRegistry registry, OciImage image)
    {
        var destination = Skopeo.Docker(registry.Image("app", image.Tag));
        return tool == "skopeo"
            ? _skopeo.CopyAsync(image.OciReference, destination, destinationCreds: registry.Creds)
            : PodmanPushAsync(registry, image, destination);
    }

    private async Task<ProcessResult> PodmanPushAsync(CreatedRegistry registry, OciImage image, string destination)
    {
        (await _podman.LoginAsync(fixture.Server.Host, registry.Username, registry.Password)).EnsureSuccess();
        return await _podman.PushAsync(image.ImageId, destination);
    }
}
