using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server whose deletes stay restorable for an hour (its collector never purges them during a test).</summary>
public sealed class RecoveryBinFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Retention__RecoveryWindow"] = "01:00:00",
    };
}

/// <summary>
/// Issue 14, recovery window: tags and manifests deleted through <c>/v2</c> or the API are listed under
/// <c>/deleted</c>, restore (with their manifest) and pull again with skopeo; their bytes still count meanwhile.
/// </summary>
public sealed class RecoveryBinTests(RecoveryBinFixture fixture) : IClassFixture<RecoveryBinFixture>
{
    private const string Password = "correct horse battery";

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task TagsDeletedThroughV2AndTheApiAreListedRestoredAndPullAgain()
    {
        var registry = await fixture.NewRegistryAsync("bin");
        var image = await PushAsync(registry, "app", 5101, "v1", "v2");
        using var client = fixture.Client(registry);

        using (var v2Delete = await client.DeleteAsync($"/v2/{registry.Repo("app")}/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, v2Delete.StatusCode);
        }

        using (var apiDelete = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/app/tags/v2"))
        {
            Assert.Equal(HttpStatusCode.NoContent, apiDelete.StatusCode);
        }

        Assert.False((await _skopeo.InspectRawAsync(Skopeo.Docker(registry.Image("app", "v1")), registry.Creds)).Succeeded);
        var deleted = await DeletedAsync(registry.Name);
        Assert.Equal([("app", "v2", image.ManifestDigest), ("app", "v1", image.ManifestDigest)],
            deleted.Select(e => (Str(e, "repository"), Str(e, "tag"), Str(e, "digest"))));
        var first = deleted[0];
        Assert.Equal(TimeSpan.FromHours(1), first.GetProperty("expiresAt").GetDateTimeOffset() - first.GetProperty("deletedAt").GetDateTimeOffset());

        foreach (var tag in new[] { "v1", "v2" })
        {
            using var restored = await RestoreAsync(fixture.Admin.Http, registry.Name, new { repository = "app", tag });
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
            var entry = await restored.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((tag, image.ManifestDigest), (Str(entry, "tag"), Str(entry, "digest")));
        }

        Assert.Empty(await DeletedAsync(registry.Name));
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("pull"), Skopeo.Docker(registry.Image("app", "v1")), registry.Creds, image, "restored v1");
        Assert.Equal(image.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "v2")), registry.Creds));
        var actions = (await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit")).Select(e => (Str(e, "action"), Str(e, "detail"))).ToList();
        Assert.Contains(("tag.deleted", "app:v1"), actions);
        Assert.Contains(("tag.restored", "app:v1"), actions);
        Assert.Contains(("tag.restored", "app:v2"), actions);
    }

    [Fact]
    public async Task AManifestDeleteBinsItsTagsAndItsBytesStillCountUntilPurged()
    {
        var registry = await fixture.NewRegistryAsync("binm");
        var image = await PushAsync(registry, "team/web", 5201, "v1", "latest");
        var usage = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.Equal(image.Blobs.Sum(b => b.Size), usage);

        (await _skopeo.DeleteAsync(Skopeo.Docker(registry.Image("team/web", "v1")), registry.Creds)).EnsureSuccess();

        Assert.False((await _skopeo.InspectRawAsync(Skopeo.Docker(registry.Image("team/web", "latest")), registry.Creds)).Succeeded);
        // Listed once per tag, not again as an untagged manifest.
        Assert.Equal([("latest", image.ManifestDigest), ("v1", image.ManifestDigest)],
            (await DeletedAsync(registry.Name, "team/web")).Select(e => (Str(e, "tag"), Str(e, "digest"))).Order());
        var detail = await DetailJsonAsync(fixture.Admin, registry.Name);
        Assert.Equal(usage, detail.GetProperty("storageUsageBytes").GetInt64());
        var recentlyDeleted = detail.GetProperty("recentlyDeleted");
        Assert.Equal((2, 1, usage), (recentlyDeleted.GetProperty("tags").GetInt32(), recentlyDeleted.GetProperty("manifests").GetInt32(),
            recentlyDeleted.GetProperty("bytes").GetInt64()));

        // Restoring one tag brings the manifest back; the other tag stays deleted.
        using (var restored = await RestoreAsync(fixture.Admin.Http, registry.Name, new { repository = "team/web", tag = "v1" }))
        {
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        }

        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("pull"), Skopeo.Docker(registry.Image("team/web", "v1")), registry.Creds, image, "restored with its manifest");
        Assert.Equal([("latest", image.ManifestDigest)], (await DeletedAsync(registry.Name)).Select(e => (Str(e, "tag"), Str(e, "digest"))));
        Assert.False((await _skopeo.InspectRawAsync(Skopeo.Docker(registry.Image("team/web", "latest")), registry.Creds)).Succeeded);
        var after = (await DetailJsonAsync(fixture.Admin, registry.Name)).GetProperty("recentlyDeleted");
        Assert.Equal((1, 0, 0L), (after.GetProperty("tags").GetInt32(), after.GetProperty("manifests").GetInt32(), after.GetProperty("bytes").GetInt64()));
    }

    [Fact]
    public async Task AnUntaggedManifestRestoresByDigest()
    {
        var registry = await fixture.NewRegistryAsync("bind");
        var image = await PushAsync(registry, "app", 5301, "v1");
        using var client = fixture.Client(registry);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/v2/{registry.Repo("app")}/manifests/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/v2/{registry.Repo("app")}/manifests/{image.ManifestDigest}")).StatusCode);

        // The manifest went with no tag left: the tag deleted before still names it.
        Assert.Equal([("v1", image.ManifestDigest)], (await DeletedAsync(registry.Name)).Select(e => (Str(e, "tag"), Str(e, "digest"))));

        using (var restored = await RestoreAsync(fixture.Admin.Http, registry.Name, new { repository = "app", digest = image.ManifestDigest }))
        {
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
            var entry = await restored.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("tag").ValueKind);
        }

        var copy = fixture.NewDir("copy");
        (await _skopeo.CopyAsync(Skopeo.Docker($"{registry.Endpoint}/app@{image.ManifestDigest}"), $"oci:{copy}:pulled", sourceCreds: registry.Creds))
            .EnsureSuccess();
        Assert.False((await _skopeo.InspectRawAsync(Skopeo.Docker(registry.Image("app", "v1")), registry.Creds)).Succeeded);
    }

    [Fact]
    public async Task RestoresAreRefusedForATakenTagUnknownEntriesAndViewers()
    {
        var registry = await fixture.NewRegistryAsync("binr");
        var old = await PushAsync(registry, "app", 5401, "latest");
        using (var deleted = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/app/tags/latest"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var current = await PushAsync(registry, "app", 5402, "latest");

        using (var taken = await RestoreAsync(fixture.Admin.Http, registry.Name, new { repository = "app", tag = "latest" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
            Assert.Equal("application/problem+json", taken.Content.Headers.ContentType?.MediaType);
            Assert.Contains(current.ManifestDigest, (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        Assert.Equal(current.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "latest")), registry.Creds));
        foreach (var unknown in new object[]
                 {
                     new { repository = "app", tag = "nope" },
                     new { repository = "nope", tag = "latest" },
                     new { repository = "app", digest = current.ManifestDigest },
                 })
        {
            using var missing = await RestoreAsync(fixture.Admin.Http, registry.Name, unknown);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var invalid = await RestoreAsync(fixture.Admin.Http, registry.Name, new { repository = "app", tag = "latest", digest = old.ManifestDigest }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        var viewer = await NewUserAsync(registry.Project, "viewer");
        using var asViewer = new HttpClient { BaseAddress = fixture.Server.BaseUrl, DefaultRequestHeaders = { Authorization = ManagementClient.BasicAuth(viewer, Password) } };
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync($"api/v1/registries/{registry.Name}/deleted")).StatusCode);
        using (var refused = await RestoreAsync(asViewer, registry.Name, new { repository = "app", tag = "latest" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Equal([("latest", old.ManifestDigest)], (await DeletedAsync(registry.Name)).Select(e => (Str(e, "tag"), Str(e, "digest"))));
    }

    [Fact]
    public async Task TheCliListsAndRestores()
    {
        var registry = await fixture.NewRegistryAsync("binc");
        var image = await PushAsync(registry, "api/web", 5501, "1.4");
        using (var deleted = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/api/web/tags/1.4"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var environment = CliRunner.Environment(fixture);
        var listed = (await CliRunner.RunAsync(environment, null, "deleted", "list", registry.Name, "--repository", "api/web")).EnsureSuccess();
        Assert.Contains("api/web", listed.Stdout);
        Assert.Contains("1.4", listed.Stdout);
        Assert.Contains(image.ManifestDigest, listed.Stdout);
        var json = (await CliRunner.RunAsync(environment, null, "deleted", "list", registry.Name, "--json")).EnsureSuccess();
        Assert.Equal("1.4", Str(Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray()), "tag"));

        var restored = (await CliRunner.RunAsync(environment, null, "deleted", "restore", registry.Name, "api/web:1.4")).EnsureSuccess();
        Assert.Contains("Restored tag api/web:1.4", restored.Stdout);
        Assert.Equal(image.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("api/web", "1.4")), registry.Creds));

        var again = await CliRunner.RunAsync(environment, null, "deleted", "restore", registry.Name, "api/web:1.4");
        Assert.False(again.Succeeded);
        Assert.Contains("not among the recently deleted", again.Stderr);
    }

    /// <summary>Pushes a fresh image with skopeo under each of <paramref name="tags"/>.</summary>
    private async Task<OciImage> PushAsync(CreatedRegistry registry, string repository, int seed, params string[] tags)
    {
        var image = fixture.BuildImage(seed, layers: 2, tag: tags[0], fileSize: 8 * 1024);
        foreach (var tag in tags)
        {
            (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image(repository, tag)), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        return image;
    }

    private async Task<List<JsonElement>> DeletedAsync(string registry, string? repository = null) =>
        [.. (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry}/deleted{(repository is null ? "" : "?repository=" + Uri.EscapeDataString(repository))}"))
            .EnumerateArray()];

    private static Task<HttpResponseMessage> RestoreAsync(HttpClient http, string registry, object body) =>
        http.PostAsJsonAsync($"api/v1/registries/{registry}/deleted/restore", body);

    private async Task<string> NewUserAsync(string project, string role)
    {
        var username = Names.Unique("user");
        using var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var member = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role });
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        return username;
    }
}
