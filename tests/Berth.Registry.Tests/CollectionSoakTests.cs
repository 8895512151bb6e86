using System.Diagnostics;
using System.Globalization;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server whose collector runs every second with a grace of 6 s and sweeps the whole storage every 2 s.</summary>
public sealed class SoakCollectionFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Collection__GracePeriod"] = "00:00:06",
        ["Berth__Collection__Interval"] = "00:00:01",
        ["Berth__Collection__StorageSweepInterval"] = "00:00:02",
        [MetricsScrape.Environment.Key] = MetricsScrape.Environment.Value,
    };
}

/// <summary>
/// The collector never takes a blob a push is using (the failure behind goharbor/harbor#23116 and
/// distribution/distribution#4939: <c>blob unknown</c> right after a GC cycle). For about a minute, skopeo pushers push
/// images sharing base layers into one repository (some of them only now and then, see <see cref="BaseLayersOf"/>) and
/// delete the image they pushed two rounds before, while a client leaves the blobs of pushes that never
/// store their manifest; the collector runs every second with a grace of seconds. No push may fail, every image left must pull intact, and once the collector has caught up the store holds
/// exactly the remaining images' blobs: records, files on disk and the usage reported agree.
/// </summary>
public sealed class CollectionSoakTests(SoakCollectionFixture fixture, ITestOutputHelper output) : IClassFixture<SoakCollectionFixture>
{
    private const int Pushers = 3;
    private static readonly TimeSpan SoakDuration = TimeSpan.FromSeconds(60);

    private BerthProcess Server => fixture.Server;

    /// <summary>
    /// The base layers of an image: the first always, the second in one image out of two, the third in one out of four.
    /// The six images kept at any moment often all lack the third, so it is referenced by no manifest for moments while
    /// pushes keep HEADing it and naming it in their manifests: without the grace restarting at each HEAD, the collector
    /// would take it between a push's HEAD and its manifest.
    /// </summary>
    private static List<(byte[] Compressed, string DiffId)> BaseLayersOf(int seed, List<(byte[] Compressed, string DiffId)> baseLayers)
    {
        var random = new Random(seed);
        return [baseLayers[0], .. random.Next(2) == 0 ? [baseLayers[1]] : Array.Empty<(byte[], string)>(),
            .. random.Next(4) == 0 ? [baseLayers[2]] : Array.Empty<(byte[], string)>()];
    }

    [Fact]
    public async Task ConcurrentPushesAndDeletesNeverLoseABlobToTheCollector()
    {
        var before = BlobTree.RegistryIds(Server.DataDir);
        var registry = await fixture.NewRegistryAsync("soak");
        var creds = $"{registry.Username}:{registry.Password}";
        var repository = registry.Repo("app");
        var baseLayers = Enumerable.Range(0, 3).Select(i => OciImageBuilder.CreateLayer(seed: 9000, index: i, files: 2, fileSize: 24 * 1024)).ToList();
        var runsBefore = await CounterAsync(Server, "berth_collection_runs_total");
        var freedBefore = await CounterAsync(Server, "berth_collection_bytes_freed_bytes_total");

        var failures = new List<string>();
        var remaining = new List<OciImage>();
        var pushes = 0;
        var deletes = 0;
        var abandoned = 0;
        long abandonedBytes = 0;
        var clock = Stopwatch.StartNew();

        async Task PushAndDeleteAsync(int pusher)
        {
            var skopeo = new Skopeo(fixture.NewDir($"skopeo{pusher}"));
            using var client = fixture.Client(registry);
            var pushed = new List<OciImage>();
            for (var round = 0; clock.Elapsed < SoakDuration; round++)
            {
                var image = new OciImageBuilder
                {
                    Seed = (pusher * 1000) + round + 1,
                    LayerCount = 1,
                    FilesPerLayer = 2,
                    FileSize = 16 * 1024,
                    BaseLayers = BaseLayersOf((pusher * 1000) + round + 1, baseLayers),
                    Tag = $"p{pusher}-r{round}",
                }.Build(fixture.NewDir("layout"));
                var result = await skopeo.CopyAsync(image.OciReference, $"docker://{Server.Host}/{repository}:{image.Tag}", destinationCreds: creds);
                Interlocked.Increment(ref pushes);
                if (!result.Succeeded)
                {
                    lock (failures)
                    {
                        failures.Add($"push {image.Tag} at {clock.Elapsed.TotalSeconds:F1} s: {result}");
                    }

                    continue;
                }

                pushed.Add(image);
                if (pushed.Count > 2)
                {
                    // The image of two rounds before goes; the base layers it shares stay for the others.
                    var old = pushed[0];
                    pushed.RemoveAt(0);
                    using var deleted = await client.DeleteAsync($"v2/{repository}/manifests/{old.ManifestDigest}");
                    Interlocked.Increment(ref deletes);
                    if (deleted.StatusCode != System.Net.HttpStatusCode.Accepted)
                    {
                        var body = await deleted.Content.ReadAsStringAsync();
                        lock (failures)
                        {
                            failures.Add($"delete {old.Tag}: {(int)deleted.StatusCode} {body}");
                        }
                    }
                }
            }

            lock (remaining)
            {
                remaining.AddRange(pushed);
            }
        }

        // Pushes that never store their manifest: their own blobs stay linked and unreferenced until the collector takes
        // them (their upload of the base layer every image uses only marks that link checked).
        async Task AbandonAsync()
        {
            using var client = fixture.Client(registry);
            var shared = baseLayers.Take(1).ToList();
            for (var round = 0; clock.Elapsed < SoakDuration; round++)
            {
                var image = new OciImageBuilder
                {
                    Seed = 50_000 + round,
                    LayerCount = 1,
                    FilesPerLayer = 2,
                    FileSize = 16 * 1024,
                    BaseLayers = shared,
                    Tag = "abandoned",
                }.Build(fixture.NewDir("layout"));
                foreach (var (digest, size) in image.Blobs)
                {
                    await client.PushBlobAsync(repository, image.ReadBlob(digest));
                    if (!image.Layers.Take(shared.Count).Any(l => l.Digest == digest))
                    {
                        Interlocked.Add(ref abandonedBytes, size);
                    }
                }

                Interlocked.Increment(ref abandoned);
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Pushers).Select(p => Task.Run(() => PushAndDeleteAsync(p))).Append(Task.Run(AbandonAsync)));
        var soaked = clock.Elapsed;
        var registryId = BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir));

        Assert.True(failures.Count == 0, $"{failures.Count} of {pushes} pushes or {deletes} deletes failed:\n{string.Join("\n", failures)}" + fixture.ServerLog);

        // Once the grace has passed for everything the soak left, the store holds exactly the remaining images' blobs.
        var expected = remaining.SelectMany(i => i.Blobs.Select(b => b.Digest)).ToHashSet(StringComparer.Ordinal);
        Assert.True(await EventuallyAsync(() => RecordedBlobs(Server.DataDir, registryId).Keys.ToHashSet(StringComparer.Ordinal).SetEquals(expected),
                TimeSpan.FromSeconds(90)),
            $"recorded blobs never came down to the {expected.Count} of the remaining images: {RecordedBlobs(Server.DataDir, registryId).Count} recorded"
            + fixture.ServerLog);
        await AssertStoreConsistentAsync(fixture.Admin, Server.DataDir, registry.Name, registryId, expected, "after the soak");
        var uploads = Path.Combine(BlobTree.RegistryDir(Server.DataDir, registryId), "uploads");
        Assert.True(!Directory.Exists(uploads) || Directory.GetFiles(uploads, "*", SearchOption.AllDirectories).Length == 0, "upload leftovers remain");

        var pullDir = fixture.NewDir("pulls");
        var puller = new Skopeo(fixture.NewDir("skopeo-pull"));
        foreach (var image in remaining)
        {
            await AssertPullsIdenticalAsync(puller, Path.Combine(pullDir, image.Tag), $"docker://{Server.Host}/{repository}:{image.Tag}", creds, image,
                $"image {image.Tag} after the soak");
        }

        var runs = await CounterAsync(Server, "berth_collection_runs_total") - runsBefore;
        var freed = await CounterAsync(Server, "berth_collection_bytes_freed_bytes_total") - freedBefore;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak {soaked.TotalSeconds:F0} s: {pushes} pushes, {deletes} deletes, {failures.Count} failures, {abandoned} abandoned pushes ({abandonedBytes} bytes of own blobs), "
            + $"{remaining.Count} images left ({expected.Count} blobs), {runs} collector runs, {freed} bytes freed by the collector"));
        Assert.True(runs > 0 && freed >= abandonedBytes, $"the collector freed {freed} bytes in {runs} runs; the abandoned pushes alone left {abandonedBytes}");
    }
}
