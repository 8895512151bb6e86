using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Browsing and deleting repositories, artifacts, manifests and tags through the management API, pull statistics,
/// the safety report, and the role each endpoint needs.
/// </summary>
public sealed class RepositoryApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const string Password = "correct horse battery";

    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ArtifactsAreClassifiedWithTheirPlatformsTagsAndSizes()
    {
        var registry = await fixture.NewRegistryAsync("br");
        using var client = fixture.Client(registry);
        var name = registry.Repo("team/app");
        var image = await ImageContent.PushSmallImageAsync(client, name, "1.0");
        var amd64 = await ImageContent.PushSmallImageAsync(client, name, "tmp-amd64");
        var arm64 = await ImageContent.PushSmallImageAsync(client, name, "tmp-arm64");
        var index = Index((amd64.Descriptor, "linux", "amd64", null), (arm64.Descriptor, "linux", "arm64", "v8"));
        var indexDigest = await client.PushManifestAsync(name, "multi", index, MediaTypes.OciIndex);
        Assert.Equal(ImageContent.EmptyJsonDigest, await client.PushBlobAsync(name, ImageContent.EmptyJson));
        var sbom = ImageContent.Artifact("application/spdx+json", image.Descriptor, "sbom");
        var sbomDigest = await client.PushManifestAsync(name, "sbom", sbom);
        foreach (var tag in new[] { "tmp-amd64", "tmp-arm64" })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/v2/{name}/manifests/{tag}")).StatusCode);
        }

        var artifacts = await ArtifactsAsync(registry.Name, "team/app");
        Assert.Equal(5, artifacts.Count);
        var single = artifacts[image.Digest];
        Assert.Equal("image", single.GetProperty("artifactType").GetString());
        Assert.Equal(["1.0"], Strings(single, "tags"));
        Assert.Equal(["linux/amd64"], Strings(single, "platforms"));
        Assert.Equal(ImageSize(image), single.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(MediaTypes.OciManifest, single.GetProperty("mediaType").GetString());
        // Scanned on push: its one "layer" is random bytes, not the tar its media type says, so the scan fails.
        var scanned = await WaitForAsync(() => ArtifactsAsync(registry.Name, "team/app"), a => a[image.Digest].GetProperty("scanStatus").GetString() == "failed");
        Assert.Equal(JsonValueKind.Null, scanned[image.Digest].GetProperty("vulnerabilities").ValueKind);
        Assert.Equal(0, single.GetProperty("pullCount").GetInt64());
        Assert.Equal(JsonValueKind.Null, single.GetProperty("lastPulledAt").ValueKind);

        var multi = artifacts[indexDigest];
        Assert.Equal("index", multi.GetProperty("artifactType").GetString());
        Assert.Equal(["multi"], Strings(multi, "tags"));
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], Strings(multi, "platforms"));
        Assert.Equal(index.Length + ImageSize(amd64) + ImageSize(arm64), multi.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(["linux/arm64/v8"], Strings(artifacts[arm64.Digest], "platforms"));
        Assert.Empty(Strings(artifacts[arm64.Digest], "tags"));

        var sbomView = artifacts[sbomDigest];
        Assert.Equal("sbom", sbomView.GetProperty("artifactType").GetString());
        Assert.Equal(image.Digest, sbomView.GetProperty("subjectDigest").GetString());
        Assert.Empty(Strings(sbomView, "platforms"));
        Assert.Equal(sbom.Length + 2, sbomView.GetProperty("sizeBytes").GetInt64());

        // The detail of the image: config fields, layers, the SBOM as a referrer, the exact JSON.
        var detail = await fixture.Admin.GetRawJsonAsync(ManifestPath(registry.Name, "team/app", image.Digest));
        Assert.Equal("image", detail.GetProperty("artifactType").GetString());
        var config = detail.GetProperty("config");
        Assert.Equal(image.ConfigDigest, config.GetProperty("digest").GetString());
        Assert.Equal(("linux", "amd64"), (config.GetProperty("os").GetString(), config.GetProperty("architecture").GetString()));
        Assert.True(config.GetProperty("labels").TryGetProperty("test", out _));
        var layer = Assert.Single(detail.GetProperty("layers").EnumerateArray());
        Assert.Equal((image.LayerDigest, (long)image.Layer.Length), (layer.GetProperty("digest").GetString(), layer.GetProperty("size").GetInt64()));
        var referrer = Assert.Single(detail.GetProperty("referrers").EnumerateArray());
        Assert.Equal((sbomDigest, "application/spdx+json"), (referrer.GetProperty("digest").GetString(), referrer.GetProperty("artifactType").GetString()));
        Assert.Equal(Encoding.UTF8.GetString(image.Manifest), detail.GetProperty("rawManifest").GetString());
        Assert.Equal(["1.0"], Strings(detail, "tags"));

        var indexDetail = await fixture.Admin.GetRawJsonAsync(ManifestPath(registry.Name, "team/app", indexDigest));
        Assert.Equal(
            [(amd64.Digest, "linux/amd64", ImageSize(amd64)), (arm64.Digest, "linux/arm64/v8", ImageSize(arm64))],
            indexDetail.GetProperty("manifests").EnumerateArray()
                .Select(m => (m.GetProperty("digest").GetString(), m.GetProperty("platform").GetString(), m.GetProperty("size").GetInt64())));
        Assert.Equal(JsonValueKind.Null, indexDetail.GetProperty("config").ValueKind);

        var sbomDetail = await fixture.Admin.GetRawJsonAsync(ManifestPath(registry.Name, "team/app", sbomDigest));
        Assert.Equal(("sbom", "application/spdx+json", image.Digest),
            (sbomDetail.GetProperty("artifactType").GetString(), sbomDetail.GetProperty("declaredArtifactType").GetString(), sbomDetail.GetProperty("subjectDigest").GetString()));
        Assert.Equal("sbom", sbomDetail.GetProperty("annotations").GetProperty("org.example.note").GetString());

        var repository = Assert.Single(await RepositoriesAsync(registry.Name));
        Assert.Equal(("team/app", 3, 5), (repository.GetProperty("name").GetString(), repository.GetProperty("tagCount").GetInt32(), repository.GetProperty("artifactCount").GetInt32()));

        using var unknown = await fixture.Admin.Http.GetAsync(ManifestPath(registry.Name, "team/app", ImageContent.DigestOf([1, 2, 3])));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var noRepository = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/team/nope/artifacts");
        Assert.Equal(HttpStatusCode.NotFound, noRepository.StatusCode);
        Assert.Equal("application/problem+json", noRepository.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PullsAreCountedPerArtifactAndRepositoryAndInTheSafetyReport()
    {
        var registry = await fixture.NewRegistryAsync("pl");
        using var client = fixture.Client(registry);
        var image = await ImageContent.PushSmallImageAsync(client, registry.Repo("web"), "v1");
        await ImageContent.PushSmallImageAsync(client, registry.Repo("idle"), "v1");
        for (var i = 0; i < 3; i++)
        {
            using var pulled = await client.GetManifestAsync(registry.Repo("web"), i == 0 ? "v1" : image.Digest);
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        }

        // HEAD checks whether an image changed; it is not a pull.
        using (var head = await client.HeadManifestAsync(registry.Repo("web"), "v1"))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        var web = await WaitForAsync(async () => (await RepositoriesAsync(registry.Name)).Single(r => r.GetProperty("name").GetString() == "web"),
            r => r.GetProperty("pullCount").GetInt64() >= 3);
        Assert.Equal(3, web.GetProperty("pullCount").GetInt64());
        var lastPulled = web.GetProperty("lastPulledAt").GetDateTimeOffset();
        Assert.InRange(lastPulled, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var idle = (await RepositoriesAsync(registry.Name)).Single(r => r.GetProperty("name").GetString() == "idle");
        Assert.Equal((0, JsonValueKind.Null), (idle.GetProperty("pullCount").GetInt64(), idle.GetProperty("lastPulledAt").ValueKind));

        var artifact = (await ArtifactsAsync(registry.Name, "web"))[image.Digest];
        Assert.Equal(3, artifact.GetProperty("pullCount").GetInt64());
        Assert.Equal(lastPulled, artifact.GetProperty("lastPulledAt").GetDateTimeOffset());

        var report = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/safety-report");
        Assert.Equal((3, 3), (report.GetProperty("pullsLast24Hours").GetInt64(), report.GetProperty("pullsLast7Days").GetInt64()));
        Assert.Equal(lastPulled, report.GetProperty("lastPulledAt").GetDateTimeOffset());
        Assert.Equal((2, 2, 2), (report.GetProperty("repositoryCount").GetInt32(), report.GetProperty("tagCount").GetInt32(), report.GetProperty("artifactCount").GetInt32()));
        Assert.Equal((await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes, report.GetProperty("sizeBytes").GetInt64());
        var repositories = report.GetProperty("repositories").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(3, repositories["web"].GetProperty("pullsLast24Hours").GetInt64());
        // Only repositories that were pulled are listed (the most recent first): never one row per repository.
        Assert.DoesNotContain("idle", repositories.Keys);
    }

    [Fact]
    public async Task DeletingARepositoryRemovesItFromV2AndFreesItsStorage()
    {
        var registry = await fixture.NewRegistryAsync("dr");
        using var client = fixture.Client(registry);
        var doomed = await ImageContent.PushSmallImageAsync(client, registry.Repo("team/doomed"), "v1");
        await ImageContent.PushSmallImageAsync(client, registry.Repo("team/doomed"), "v2");
        var kept = await ImageContent.PushSmallImageAsync(client, registry.Repo("kept"), "v1");

        // A blob the other repository also links stays.
        using (var mount = await client.SendAsync(HttpMethod.Post, $"/v2/{registry.Repo("kept")}/blobs/uploads/?mount={doomed.LayerDigest}&from={registry.Repo("team/doomed")}"))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        using (var deleted = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/team/doomed"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var gone = await client.GetManifestAsync(registry.Repo("team/doomed"), "v1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal("NAME_UNKNOWN", (await RegistryClient.ReadErrorAsync(gone))?.Code);
        }

        Assert.Equal(["kept"], (await RepositoriesAsync(registry.Name)).Select(r => r.GetProperty("name").GetString()));

        // The storage only it used is freed by the background purge, within moments.
        var expected = kept.Layer.Length + kept.Config.Length + doomed.Layer.Length;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long usage;
        while ((usage = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(expected, usage);
        using (var shared = await client.HeadAsync($"/v2/{registry.Repo("kept")}/blobs/{doomed.LayerDigest}"))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        }

        using (var again = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/team/doomed"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var audit = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/audit");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "repository.deleted" && e.GetProperty("detail").GetString() == "team/doomed");
    }

    [Fact]
    public async Task TagsAndManifestsAreDeletedLikeThroughV2()
    {
        var registry = await fixture.NewRegistryAsync("dt");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var image = await ImageContent.PushSmallImageAsync(client, name, "v1");
        using (var tagged = await client.PutManifestAsync(name, "v2", image.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, tagged.StatusCode);
        }

        using (var untag = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/app/tags/v1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, untag.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetManifestAsync(name, "v1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetManifestAsync(name, image.Digest)).StatusCode);
        Assert.Equal(["v2"], (await fixture.Admin.ListTagsAsync(registry.Name, "app")).Select(t => t.Name));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/app/tags/v1")).StatusCode);

        using (var delete = await fixture.Admin.Http.DeleteAsync(ManifestPath(registry.Name, "app", image.Digest)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetManifestAsync(name, image.Digest)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetManifestAsync(name, "v2")).StatusCode);
        Assert.Equal(0, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        Assert.Empty(await ArtifactsAsync(registry.Name, "app"));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.DeleteAsync(ManifestPath(registry.Name, "app", image.Digest))).StatusCode);
    }

    [Fact]
    public async Task ViewersReadDevelopersDeleteAndOtherProjectsSeeNothing()
    {
        var registry = await fixture.NewRegistryAsync("au");
        using var client = fixture.Client(registry);
        var image = await ImageContent.PushSmallImageAsync(client, registry.Repo("team/app"), "v1");
        var viewer = await NewUserAsync(registry.Project, "viewer");
        var developer = await NewUserAsync(registry.Project, "developer");
        var other = await fixture.Admin.CreateProjectAsync(Names.Unique("other"));
        var stranger = await NewUserAsync(other.Name, "owner");

        var reads = new[]
        {
            $"api/v1/registries/{registry.Name}/repositories",
            $"api/v1/registries/{registry.Name}/safety-report",
            $"api/v1/registries/{registry.Name}/repositories/team/app/tags",
            $"api/v1/registries/{registry.Name}/repositories/team/app/artifacts",
            ManifestPath(registry.Name, "team/app", image.Digest),
        };
        var deletes = new[]
        {
            $"api/v1/registries/{registry.Name}/repositories/team/app/tags/v1",
            ManifestPath(registry.Name, "team/app", image.Digest),
            $"api/v1/registries/{registry.Name}/repositories/team/app",
        };

        using var asViewer = Client(viewer);
        using var asStranger = Client(stranger);
        foreach (var path in reads)
        {
            Assert.Equal((path, HttpStatusCode.OK), (path, (await asViewer.GetAsync(path)).StatusCode));
            Assert.Equal((path, HttpStatusCode.NotFound), (path, (await asStranger.GetAsync(path)).StatusCode));
        }

        foreach (var path in deletes)
        {
            Assert.Equal((path, HttpStatusCode.Forbidden), (path, (await asViewer.DeleteAsync(path)).StatusCode));
            Assert.Equal((path, HttpStatusCode.NotFound), (path, (await asStranger.DeleteAsync(path)).StatusCode));
        }

        // Nothing was deleted by the refused calls; a developer may delete.
        Assert.Equal(["v1"], (await fixture.Admin.ListTagsAsync(registry.Name, "team/app")).Select(t => t.Name));
        using var asDeveloper = Client(developer);
        foreach (var path in deletes)
        {
            Assert.Equal((path, HttpStatusCode.NoContent), (path, (await asDeveloper.DeleteAsync(path)).StatusCode));
        }

        Assert.Empty(await RepositoriesAsync(registry.Name));
    }

    private static long ImageSize(PushedImage image) => image.Manifest.Length + image.Config.Length + image.Layer.Length;

    private static string ManifestPath(string registry, string repository, string digest) =>
        $"api/v1/registries/{registry}/repositories/{repository}/manifests/{digest}";

    private static List<string?> Strings(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetString()).ToList();

    private static byte[] Index(params ((string Digest, long Size) Manifest, string Os, string Architecture, string? Variant)[] entries) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(entries.Select(e =>
            {
                var descriptor = OciImageBuilder.Descriptor(MediaTypes.OciManifest, e.Manifest.Digest, e.Manifest.Size);
                var platform = new JsonObject { ["architecture"] = e.Architecture, ["os"] = e.Os };
                if (e.Variant is not null)
                {
                    platform["variant"] = e.Variant;
                }

                descriptor["platform"] = platform;
                return (JsonNode)descriptor;
            }).ToArray()),
        }.ToJsonString());

    private async Task<List<JsonElement>> RepositoriesAsync(string registry) =>
        (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry}/repositories")).EnumerateArray().ToList();

    [Fact]
    public async Task SignaturesAndOtherArtifactsAreClassified()
    {
        var registry = await fixture.NewRegistryAsync("bk");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var image = await ImageContent.PushSmallImageAsync(client, name, "1.0");
        await client.PushBlobAsync(name, ImageContent.EmptyJson);
        var signature = await client.PushManifestAsync(name, "sig", ImageContent.Artifact("application/vnd.dev.cosign.artifact.sig.v1+json", image.Descriptor, "sig"));
        var other = await client.PushManifestAsync(name, "thing", ImageContent.Artifact("application/vnd.example.thing.v1", image.Descriptor, "thing"));

        var artifacts = await ArtifactsAsync(registry.Name, "app");
        Assert.Equal("signature", artifacts[signature].GetProperty("artifactType").GetString());
        Assert.Equal("other", artifacts[other].GetProperty("artifactType").GetString());
        Assert.Equal("image", artifacts[image.Digest].GetProperty("artifactType").GetString());
        Assert.All(new[] { signature, other }, d => Assert.Equal(image.Digest, artifacts[d].GetProperty("subjectDigest").GetString()));

        // Neither is an image: they are never scanned.
        Assert.All(new[] { signature, other }, d => Assert.Equal("not_scanned", artifacts[d].GetProperty("scanStatus").GetString()));
    }

    private async Task<Dictionary<string, JsonElement>> ArtifactsAsync(string registry, string repository) =>
        (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry}/repositories/{repository}/artifacts"))
            .EnumerateArray().ToDictionary(a => a.GetProperty("digest").GetString()!);

    /// <summary>Pull counts are flushed in the background (every 200 ms under test): polls until they are there.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + FlushWait;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTimeOffset.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }

    private async Task<string> NewUserAsync(string project, string role)
    {
        var username = Names.Unique("user");
        using var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var member = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role });
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        return username;
    }

    private HttpClient Client(string username) =>
        new() { BaseAddress = fixture.Server.BaseUrl, DefaultRequestHeaders = { Authorization = ManagementClient.BasicAuth(username, Password) } };
}
