using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server whose deletes stay restorable for 3 s, with a collector running every second (grace 3 s).</summary>
public sealed class ShortRecoveryWindowFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Retention__RecoveryWindow"] = "00:00:03",
        ["Berth__Collection__GracePeriod"] = "00:00:03",
        ["Berth__Collection__Interval"] = "00:00:01",
    };
}

/// <summary>
/// Issue 14, recovery window: a deleted image keeps counting against the allocation while restorable, and once the
/// window has passed the collector purges it: the usage drops and a restore is a 404.
/// </summary>
public sealed class RecoveryBinPurgeTests(ShortRecoveryWindowFixture fixture) : IClassFixture<ShortRecoveryWindowFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task UsageStaysWhileBinnedAndDropsOncePurged()
    {
        var registry = await fixture.NewRegistryAsync("purge");
        var kept = fixture.BuildImage(seed: 5601, layers: 2, tag: "kept");
        var deleted = fixture.BuildImage(seed: 5602, layers: 2, tag: "gone");
        (await _skopeo.CopyAsync(kept.OciReference, Skopeo.Docker(registry.Image("app", "kept")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await _skopeo.CopyAsync(deleted.OciReference, Skopeo.Docker(registry.Image("app", "gone")), destinationCreds: registry.Creds)).EnsureSuccess();
        var both = kept.Blobs.Sum(b => b.Size) + deleted.Blobs.Sum(b => b.Size);
        Assert.Equal(both, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);

        (await _skopeo.DeleteAsync(Skopeo.Docker(registry.Image("app", "gone")), registry.Creds)).EnsureSuccess();

        var binned = await DetailJsonAsync(fixture.Admin, registry.Name);
        Assert.Equal(both, binned.GetProperty("storageUsageBytes").GetInt64());
        Assert.Equal(deleted.Blobs.Sum(b => b.Size), binned.GetProperty("recentlyDeleted").GetProperty("bytes").GetInt64());

        Assert.True(await EventuallyAsync(
                () => fixture.Admin.GetRegistryAsync(registry.Name).GetAwaiter().GetResult().StorageUsageBytes == kept.Blobs.Sum(b => b.Size), Patience),
            "the deleted image's bytes were not freed after its recovery window" + fixture.ServerLog);
        Assert.Empty((await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/deleted")).EnumerateArray());
        using (var restore = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/deleted/restore", new { repository = "app", tag = "gone" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, restore.StatusCode);
        }

        var recentlyDeleted = (await DetailJsonAsync(fixture.Admin, registry.Name)).GetProperty("recentlyDeleted");
        Assert.Equal((0, 0, 0L), (recentlyDeleted.GetProperty("tags").GetInt32(), recentlyDeleted.GetProperty("manifests").GetInt32(),
            recentlyDeleted.GetProperty("bytes").GetInt64()));
        Assert.Equal(kept.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "kept")), registry.Creds));
    }
}

/// <summary>
/// With <c>Berth:Retention:RecoveryWindow</c> 00:00:00 (what <see cref="BerthProcess"/> sets by default) a delete is final
/// at once: nothing is binned and the storage is freed.
/// </summary>
public sealed class RecoveryWindowOffTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task DeletesAreFinalAtOnce()
    {
        var registry = await fixture.NewRegistryAsync("nobin");
        using var client = fixture.Client(registry);
        var image = await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "v1");
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/v2/{registry.Repo("app")}/manifests/{image.Digest}")).StatusCode);

        Assert.Equal(0, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        Assert.Empty((await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/deleted")).EnumerateArray());
        var recentlyDeleted = (await DetailJsonAsync(fixture.Admin, registry.Name)).GetProperty("recentlyDeleted");
        Assert.Equal(JsonValueKind.Object, recentlyDeleted.ValueKind);
        Assert.Equal(0, recentlyDeleted.GetProperty("manifests").GetInt32());
    }
}
