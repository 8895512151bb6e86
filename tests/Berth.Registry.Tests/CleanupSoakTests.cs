using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;

namespace Berth.Registry.Tests;

/// <summary>Deletes are final at once (no recovery window); the collector runs every second with a grace of 3 s.</summary>
public sealed class CleanupSoakFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Retention__RecoveryWindow"] = "00:00:00",
        ["Berth__Collection__GracePeriod"] = "00:00:03",
        ["Berth__Collection__Interval"] = "00:00:01",
    };
}

/// <summary>
/// For 30 s, pushers push new <c>ci-</c> tags and move <c>edge</c> (leaving untagged images behind), pullers pull the
/// <c>stable-</c> tags and a multi-platform index, and cleanup runs of a policy keeping the 5 newest <c>ci-</c> tags and
/// deleting untagged manifests follow each other. No client request fails, every run succeeds without errors, and
/// afterwards every tag the policy keeps (stable, edge, the index, the newest <c>ci-</c> tags) is there and pulls.
/// </summary>
public sealed class CleanupSoakTests(CleanupSoakFixture fixture, ITestOutputHelper output) : IClassFixture<CleanupSoakFixture>
{
    private const int Pushers = 3;
    private const int Pullers = 2;
    private const int KeepMostRecent = 5;
    private static readonly TimeSpan SoakDuration = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PushesPullsAndCleanupRunsTogetherLoseNothingKept()
    {
        var registry = await fixture.NewRegistryAsync("soak");
        var api = new RetentionApi(fixture.Admin, registry.Name);
        using var setup = fixture.Client(registry);
        var stable = new List<(string Repository, string Tag, string Digest)>();
        for (var r = 0; r < Pushers; r++)
        {
            for (var t = 0; t < 3; t++)
            {
                var image = await ImageContent.PushSmallImageAsync(setup, registry.Repo($"svc{r}"), $"stable-{t}");
                stable.Add(($"svc{r}", $"stable-{t}", image.Digest));
            }
        }

        var platforms = new List<PushedImage>();
        for (var p = 0; p < 2; p++)
        {
            platforms.Add(await ImageContent.PushSmallImageAsync(setup, registry.Repo("svc0"), $"platform-{p}"));
        }

        var index = ImageContent.Index([.. platforms.Select(p => p.Descriptor)]);
        stable.Add(("svc0", "stable-index", await setup.PushManifestAsync(registry.Repo("svc0"), "stable-index", index, MediaTypes.OciIndex)));
        // The platforms keep no tag of their own: only the index keeps them.
        foreach (var p in platforms.Select((_, i) => $"platform-{i}"))
        {
            using var untag = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/svc0/tags/{p}");
            Assert.Equal(HttpStatusCode.NoContent, untag.StatusCode);
        }

        await api.SetPolicyAsync(new
        {
            rules = new[] { new { repositories = "**", tagPattern = "^ci-", keepMostRecent = KeepMostRecent } },
            untaggedOlderThanHours = 0,
            schedule = "off",
        });

        var failures = new ConcurrentQueue<string>();
        var pushedCi = new ConcurrentDictionary<int, List<(string Tag, string Digest)>>();
        var edges = new ConcurrentDictionary<int, string>();
        var runs = new ConcurrentQueue<JsonElement>();
        var pulls = 0;
        var clock = Stopwatch.StartNew();

        async Task PushAsync(int pusher)
        {
            using var client = fixture.Client(registry);
            var name = registry.Repo($"svc{pusher}");
            var tags = pushedCi[pusher] = [];
            for (var round = 0; clock.Elapsed < SoakDuration; round++)
            {
                try
                {
                    var image = await ImageContent.PushSmallImageAsync(client, name, $"ci-{round:0000}");
                    tags.Add(($"ci-{round:0000}", image.Digest));
                    // edge moves to the new image: the previous one is left untagged, for the cleanup to take.
                    await client.PushManifestAsync(name, "edge", image.Manifest);
                    edges[pusher] = image.Digest;
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
                {
                    failures.Enqueue($"push svc{pusher} round {round}: {e.Message}");
                }
            }
        }

        async Task PullAsync(int puller)
        {
            using var client = fixture.Client(registry);
            for (var i = puller; clock.Elapsed < SoakDuration; i++)
            {
                var (repository, tag, digest) = stable[i % stable.Count];
                using var manifest = await client.GetManifestAsync(registry.Repo(repository), tag);
                if (manifest.StatusCode != HttpStatusCode.OK || RegistryClient.Header(manifest, "Docker-Content-Digest") != digest)
                {
                    failures.Enqueue($"pull {repository}:{tag}: {(int)manifest.StatusCode}");
                    continue;
                }

                Interlocked.Increment(ref pulls);
            }
        }

        async Task CleanAsync()
        {
            while (clock.Elapsed < SoakDuration)
            {
                runs.Enqueue(await api.RunAsync());
            }
        }

        await Task.WhenAll([.. Enumerable.Range(0, Pushers).Select(PushAsync), .. Enumerable.Range(0, Pullers).Select(PullAsync), CleanAsync()]);
        // One more run once the load has stopped, so that the tags left are exactly what the policy keeps.
        runs.Enqueue(await api.RunAsync());
        output.WriteLine($"{pushedCi.Values.Sum(t => t.Count)} pushes, {pulls} pulls, {runs.Count} runs:\n" + string.Join('\n', runs));

        Assert.Empty(failures);
        Assert.True(runs.Count >= 3, $"only {runs.Count} runs");
        Assert.All(runs, run =>
        {
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            Assert.Equal(0, run.GetProperty("errors").GetArrayLength());
        });

        // What the policy keeps is all there: the stable tags and the index, edge, and exactly the newest ci- tags.
        using var client = fixture.Client(registry);
        for (var r = 0; r < Pushers; r++)
        {
            var tags = await api.TagsAsync($"svc{r}");
            var expected = stable.Where(s => s.Repository == $"svc{r}").Select(s => (s.Tag, s.Digest))
                .Concat(pushedCi[r].TakeLast(KeepMostRecent))
                .Append(("edge", edges[r]))
                .ToDictionary(t => t.Item1, t => t.Item2, StringComparer.Ordinal);
            Assert.Equal(expected.OrderBy(t => t.Key, StringComparer.Ordinal), tags.OrderBy(t => t.Key, StringComparer.Ordinal));
            foreach (var (tag, digest) in expected)
            {
                using var head = await client.HeadManifestAsync(registry.Repo($"svc{r}"), tag);
                Assert.True(head.StatusCode == HttpStatusCode.OK, $"svc{r}:{tag}: {(int)head.StatusCode}");
                Assert.Equal(digest, RegistryClient.Header(head, "Docker-Content-Digest"));
            }
        }

        // The blobs are there too, after the collector's rounds: skopeo pulls the index with its platforms, and edge.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        foreach (var (repository, tag) in new[] { ("svc0", "stable-index"), ("svc1", "edge"), ("svc2", "stable-0") })
        {
            (await skopeo.CopyAsync(Skopeo.Docker(registry.Image(repository, tag)), $"oci:{fixture.NewDir("pull")}:x", sourceCreds: registry.Creds,
                extraArguments: ["--all"])).EnsureSuccess();
        }
    }
}
