using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;

namespace Berth.Registry.Tests;

/// <summary>
/// A server whose deletes stay restorable for 45 s, and whose collector runs every second with a grace of 2 s, so that
/// what a cleanup run deleted is purged (and its blobs freed) within a minute.
/// </summary>
public sealed class CleanupScaleFixture : ConfiguredBerthFixture
{
    public static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(45);

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Retention__RecoveryWindow"] = RecoveryWindow.ToString("c", CultureInfo.InvariantCulture),
        ["Berth__Collection__GracePeriod"] = "00:00:02",
        ["Berth__Collection__Interval"] = "00:00:01",
    };
}

/// <summary>
/// A cleanup policy over 2,000 tags in 20 repositories, each with 10 images carrying 90 <c>build-</c> tags (9 each), a
/// multi-platform index with a cosign-style signature tag (<c>sha256-&lt;hex&gt;.sig</c>, an OCI referrer of the index),
/// an untagged OCI referrer of a tagged image and two untagged images. Repository <c>app00</c> is immutable but for
/// <c>latest</c>. The policy keeps the 30 newest <c>build-</c> tags and deletes untagged manifests at once (those it
/// untags itself too). What the
/// dry run lists is exactly what the run deletes (the recovery bin holds nothing else); nothing a kept tag needs goes
/// (every kept tag resolves, a sample and every index pull with <c>skopeo copy --all</c>); the bytes the dry run
/// announced are what usage drops by once the collector has purged the bin; a deleted tag restored pulls again.
/// </summary>
public sealed class CleanupScaleTests(CleanupScaleFixture fixture, ITestOutputHelper output) : IClassFixture<CleanupScaleFixture>
{
    private const int Repositories = 20;
    private const int Images = 10;
    private const int BuildTags = 90;
    private const int KeepMostRecent = 30;
    private const int KeepTags = 7;
    private const int Parallelism = 4;
    private const string SignatureType = "application/vnd.dev.cosign.artifact.sig.v1+json";

    private static string RepositoryName(int i) => $"app{i:00}";

    private static string BuildTag(int i) => $"build-{i:000}";

    [Fact]
    public async Task TheDryRunIsTheRunAndNothingAKeptTagNeedsGoes()
    {
        var registry = await fixture.NewRegistryAsync("cleanup");
        var api = new RetentionApi(fixture.Admin, registry.Name);
        var pushed = new ConcurrentDictionary<string, PushedRepository>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, Repositories), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
            pushed[RepositoryName(i)] = await PushRepositoryAsync(registry, RepositoryName(i)));
        var before = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var repository in pushed.Keys)
        {
            before[repository] = await api.TagsAsync(repository);
        }

        Assert.Equal(2000, before.Values.Sum(t => t.Count));

        // app00 is immutable but for latest: an overwrite and a delete are refused (by /v2 and by the API), latest moves.
        await api.SetImmutabilityAsync(new { rules = new[] { new { repositories = "app00", tagPattern = ".*", excludeTagPattern = "^latest$" } } });
        var app00 = pushed["app00"];
        using (var client = fixture.Client(registry))
        {
            var name = registry.Repo("app00");
            using (var overwrite = await client.PutManifestAsync(name, "keep-00", app00.Images[5].Manifest))
            {
                Assert.Equal(HttpStatusCode.Forbidden, overwrite.StatusCode);
                Assert.Equal("DENIED", (await RegistryClient.ReadErrorAsync(overwrite))?.Code);
            }

            using (var delete = await client.DeleteAsync($"v2/{name}/manifests/keep-00"))
            {
                Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
            }

            using (var apiDelete = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/app00/tags/keep-00"))
            {
                Assert.False(apiDelete.IsSuccessStatusCode, $"the API deleted an immutable tag: {(int)apiDelete.StatusCode}");
            }

            Assert.Equal(app00.Images[8].Digest, await client.PushManifestAsync(name, "latest", app00.Images[8].Manifest));
        }

        before["app00"] = await api.TagsAsync("app00");
        Assert.Equal(app00.Images[0].Digest, before["app00"]["keep-00"]);
        Assert.Equal(app00.Images[8].Digest, before["app00"]["latest"]);

        await api.SetPolicyAsync(new
        {
            rules = new[] { new { repositories = "**", tagPattern = "^build-", keepMostRecent = KeepMostRecent } },
            untaggedOlderThanHours = 0,
            schedule = "off",
        });
        var usageBefore = await api.UsageAsync();

        var dryRun = await api.DryRunAsync();
        var plannedTags = dryRun.GetProperty("tags").EnumerateArray()
            .Select(t => (t.GetProperty("repository").GetString()!, t.GetProperty("tag").GetString()!, t.GetProperty("digest").GetString()!)).ToHashSet();
        var plannedManifests = dryRun.GetProperty("manifests").EnumerateArray()
            .Select(m => (m.GetProperty("repository").GetString()!, m.GetProperty("digest").GetString()!)).ToHashSet();
        var protectedByReason = dryRun.GetProperty("protected").EnumerateArray()
            .GroupBy(p => p.GetProperty("reason").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(p => (p.GetProperty("repository").GetString()!, p.GetProperty("reference").GetString()!)).ToHashSet());
        var bytesFreed = dryRun.GetProperty("bytesFreed").GetInt64();
        output.WriteLine($"dry run: {plannedTags.Count} tags, {plannedManifests.Count} manifests, "
            + string.Join(", ", protectedByReason.Select(p => $"{p.Value.Count} {p.Key}")) + $", {bytesFreed} bytes");

        // The policy, applied by hand: in every repository but app00 the 60 oldest build- tags; the untagged images.
        var expectedTags = pushed.Keys.Where(r => r != "app00")
            .SelectMany(r => Enumerable.Range(0, BuildTags - KeepMostRecent).Select(i => (r, BuildTag(i), before[r][BuildTag(i)]))).ToHashSet();
        Assert.True(expectedTags.SetEquals(plannedTags), "planned tags differ: " + Describe(expectedTags, plannedTags));
        // With 0 hours, the images losing their last tag in this plan go too: images 1-5 (image 0 keeps its keep- tags, image 6 build-060 to 062).
        var expectedManifests = pushed.SelectMany(p => p.Value.Untagged.Select(u => (p.Key, u.Digest)))
            .Concat(pushed.Where(p => p.Key != "app00").SelectMany(p => p.Value.Images.Skip(1).Take(5).Select(i => (p.Key, i.Digest))))
            .ToHashSet();
        Assert.True(expectedManifests.SetEquals(plannedManifests), "planned manifests differ: " + Describe(expectedManifests, plannedManifests));
        Assert.Equal(
            Enumerable.Range(0, BuildTags - KeepMostRecent).Select(i => ("app00", BuildTag(i))).ToHashSet(),
            protectedByReason.GetValueOrDefault("immutable") ?? []);
        Assert.Equal(pushed.SelectMany(p => p.Value.Platforms.Select(d => (p.Key, d))).ToHashSet(), protectedByReason.GetValueOrDefault("in_kept_index") ?? []);
        Assert.Equal(pushed.Select(p => (p.Key, p.Value.Referrer)).ToHashSet(), protectedByReason.GetValueOrDefault("subject_kept") ?? []);
        Assert.False(protectedByReason.ContainsKey("pulled_recently"), "nothing was pulled");
        // At least the deleted images' own layers and configs; more if their manifests are stored as blobs too.
        var images = pushed.Values.SelectMany(p => p.Untagged.Concat(p.Images)).ToDictionary(i => i.Digest);
        Assert.True(bytesFreed >= plannedManifests.Sum(m => images[m.Item2].Layer.LongLength + images[m.Item2].Config.LongLength), $"bytesFreed {bytesFreed}");

        var run = await api.RunAsync();
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(0, run.GetProperty("errors").GetArrayLength());
        Assert.Equal(plannedTags.Count, run.GetProperty("tagsDeleted").GetInt32());
        Assert.Equal(plannedManifests.Count, run.GetProperty("manifestsDeleted").GetInt32());
        Assert.Equal(0, run.GetProperty("skipped").GetInt32());
        Assert.Equal(bytesFreed, run.GetProperty("bytesFreed").GetInt64());

        // The bin holds exactly what the dry run listed, the planned manifests are gone, and the tags left are exactly the others.
        var deleted = await api.DeletedAsync();
        var binnedTags = deleted.Where(d => d.GetProperty("tag").ValueKind == JsonValueKind.String)
            .Select(d => (d.GetProperty("repository").GetString()!, d.GetProperty("tag").GetString()!, d.GetProperty("digest").GetString()!)).ToHashSet();
        var binnedManifests = deleted.Where(d => d.GetProperty("tag").ValueKind == JsonValueKind.Null)
            .Select(d => (d.GetProperty("repository").GetString()!, d.GetProperty("digest").GetString()!)).ToHashSet();
        Assert.True(plannedTags.SetEquals(binnedTags), "deleted tags differ from the dry run: " + Describe(plannedTags, binnedTags));
        // A manifest binned with its tags is listed by them; the ones untagged before the run by themselves.
        var binnedAll = binnedManifests.Concat(binnedTags.Select(t => (t.Item1, t.Item3))).ToHashSet();
        Assert.True(binnedManifests.IsSubsetOf(plannedManifests) && plannedManifests.IsSubsetOf(binnedAll),
            "deleted manifests differ from the dry run: " + Describe(plannedManifests, binnedManifests));
        using (var client = fixture.Client(registry))
        {
            foreach (var (repository, digest) in plannedManifests)
            {
                using var gone = await client.HeadManifestAsync(registry.Repo(repository), digest);
                Assert.True(gone.StatusCode == HttpStatusCode.NotFound, $"{repository}@{digest} was planned but is still there: {(int)gone.StatusCode}");
            }
        }

        var kept = new List<(string Repository, string Tag, string Digest)>();
        foreach (var repository in pushed.Keys)
        {
            var after = await api.TagsAsync(repository);
            var expected = before[repository].Where(t => !plannedTags.Contains((repository, t.Key, t.Value))).ToDictionary(StringComparer.Ordinal);
            Assert.Equal(expected.OrderBy(t => t.Key, StringComparer.Ordinal), after.OrderBy(t => t.Key, StringComparer.Ordinal));
            kept.AddRange(after.Select(t => (repository, t.Key, t.Value)));
        }

        // A deleted tag comes back, on the manifest it had, within the recovery window.
        await api.RestoreTagAsync("app05", BuildTag(0));
        Assert.Equal(before["app05"][BuildTag(0)], (await api.TagsAsync("app05"))[BuildTag(0)]);

        // Every kept tag resolves to its manifest; a sample of them, every index (with its platforms) and the
        // restored tag pull with skopeo.
        using (var client = fixture.Client(registry))
        {
            await Parallel.ForEachAsync(kept, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (tag, _) =>
            {
                using var response = await client.HeadManifestAsync(registry.Repo(tag.Repository), tag.Tag);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{tag.Repository}:{tag.Tag}: {(int)response.StatusCode}");
                Assert.Equal(tag.Digest, RegistryClient.Header(response, "Docker-Content-Digest"));
            });
        }

        var pulls = pushed.Keys.Select(r => (r, "multi"))
            .Concat(pushed.Keys.Where((_, i) => i % 4 == 0).SelectMany(r => new[] { (r, BuildTag(BuildTags - 1)), (r, "keep-00"), (r, "latest"), (r, pushed[r].SignatureTag) }))
            .Append(("app05", BuildTag(0)))
            .ToList();
        await Parallel.ForEachAsync(pulls, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pull, _) =>
        {
            var skopeo = new Skopeo(fixture.NewDir("skopeo"));
            var layout = fixture.NewDir("pull");
            (await skopeo.CopyAsync(Skopeo.Docker(registry.Image(pull.Item1, pull.Item2)), $"oci:{layout}:x", sourceCreds: registry.Creds,
                extraArguments: ["--all"])).EnsureSuccess();
        });
        foreach (var (repository, repo) in pushed)
        {
            // The platforms of the index came along: they were protected, not deleted.
            Assert.All(repo.Platforms, d => Assert.DoesNotContain((repository, d), binnedManifests));
        }

        // Once the window is over the collector purges the bin: usage drops by what the dry run announced.
        var deadline = DateTime.UtcNow + CleanupScaleFixture.RecoveryWindow + TimeSpan.FromSeconds(60);
        var usage = await api.UsageAsync();
        while (usage != usageBefore - bytesFreed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            usage = await api.UsageAsync();
        }

        Assert.True(usage == usageBefore - bytesFreed, $"usage {usageBefore} -> {usage}: dropped by {usageBefore - usage}, the dry run said {bytesFreed}");
        Assert.Empty(await api.DeletedAsync());
        // The restored tag was taken out of the bin before the purge: it still resolves.
        Assert.Equal(before["app05"][BuildTag(0)], (await api.TagsAsync("app05"))[BuildTag(0)]);
    }

    private static string Describe<T>(HashSet<T> expected, HashSet<T> actual) =>
        $"{expected.Count} expected, {actual.Count} actual; missing {string.Join(", ", expected.Except(actual).Take(5))}; "
        + $"extra {string.Join(", ", actual.Except(expected).Take(5))}";

    /// <summary>
    /// One repository's images and tags, pushed in order (so <c>build-089</c> is the most recent tag): 10 images with
    /// 9 <c>build-</c> tags each, <c>latest</c> on the last, 7 <c>keep-</c> tags on the first; an index of two untagged
    /// platform images tagged <c>multi</c> and signed cosign-style; an untagged referrer of the last image; two untagged images.
    /// </summary>
    private async Task<PushedRepository> PushRepositoryAsync(CreatedRegistry registry, string repository)
    {
        using var client = fixture.Client(registry);
        var name = registry.Repo(repository);
        var images = new List<PushedImage>();
        for (var i = 0; i < Images; i++)
        {
            var image = await ImageContent.PushSmallImageAsync(client, name, BuildTag(i * (BuildTags / Images)));
            for (var t = 1; t < BuildTags / Images; t++)
            {
                await client.PushManifestAsync(name, BuildTag((i * (BuildTags / Images)) + t), image.Manifest);
            }

            images.Add(image);
        }

        await client.PushManifestAsync(name, "latest", images[^1].Manifest);
        for (var t = 0; t < KeepTags; t++)
        {
            await client.PushManifestAsync(name, $"keep-{t:00}", images[0].Manifest);
        }

        var platforms = new List<PushedImage>();
        for (var p = 0; p < 2; p++)
        {
            platforms.Add(await PushUntaggedAsync(client, name));
        }

        var index = ImageContent.Index([.. platforms.Select(p => p.Descriptor)]);
        var indexDigest = await client.PushManifestAsync(name, "multi", index, MediaTypes.OciIndex);
        await client.PushBlobAsync(name, ImageContent.EmptyJson);
        var signature = ImageContent.Artifact(SignatureType, (indexDigest, index.LongLength), "cosign signature of multi");
        var signatureTag = indexDigest.Replace(':', '-') + ".sig";
        await client.PushManifestAsync(name, signatureTag, signature);
        var referrer = ImageContent.Artifact("application/vnd.example.sbom.v1+json", images[^1].Descriptor, "sbom of latest");
        var referrerDigest = await client.PushManifestAsync(name, ImageContent.DigestOf(referrer), referrer);
        var untagged = new List<PushedImage> { await PushUntaggedAsync(client, name), await PushUntaggedAsync(client, name) };
        return new PushedRepository(images, [.. platforms.Select(p => p.Digest)], signatureTag, referrerDigest, untagged);
    }

    private static async Task<PushedImage> PushUntaggedAsync(RegistryClient client, string name)
    {
        var layer = ImageContent.RandomBlob(1024);
        var layerDigest = await client.PushBlobAsync(name, layer);
        var config = ImageContent.Config(layerDigest);
        var configDigest = await client.PushBlobAsync(name, config);
        var manifest = ImageContent.Manifest((configDigest, config.Length), (layerDigest, layer.Length));
        var digest = await client.PushManifestAsync(name, ImageContent.DigestOf(manifest), manifest);
        return new PushedImage(digest, manifest, configDigest, config, layerDigest, layer);
    }

    private sealed record PushedRepository(
        IReadOnlyList<PushedImage> Images, IReadOnlyList<string> Platforms, string SignatureTag, string Referrer, IReadOnlyList<PushedImage> Untagged);
}
