using System.Net;
using System.Text;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// docs/api.md, "Delete": confirmed by the exact name; from the 204 on the registry's credentials, tokens and data are
/// gone, its blobs are purged (and only its blobs: identical layers of other registries stay), its name is free
/// for a new, empty registry, and the project audit keeps the deletion.
/// </summary>
public sealed class RegistryDeleteTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private static readonly TimeSpan PurgeWait = TimeSpan.FromSeconds(20);

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task DeleteWithoutTheExactConfirmationIsRefusedAndChangesNothing()
    {
        var registry = await fixture.NewRegistryAsync("dc");
        var other = await fixture.NewRegistryAsync("dco");
        var image = fixture.BuildImage(seed: 3201, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("keep/app", "v1"));
        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        var before = await fixture.Admin.GetRegistryAsync(registry.Name);
        var path = $"api/v1/registries/{registry.Name}";

        var attempts = new List<(string What, Func<Task<HttpResponseMessage>> Send)>
        {
            ("no confirmation at all", () => DeleteRegistryAsync(fixture.Admin, registry.Name, null)),
            ("body with a wrong name", () => DeleteRegistryAsync(fixture.Admin, registry.Name, "wrong-name")),
            ("body with another registry's name", () => DeleteRegistryAsync(fixture.Admin, registry.Name, other.Name)),
            ("body with the name in upper case", () => DeleteRegistryAsync(fixture.Admin, registry.Name, registry.Name.ToUpperInvariant())),
            ("body with a prefix of the name", () => DeleteRegistryAsync(fixture.Admin, registry.Name, registry.Name[..^1])),
            ("body with an empty confirmation", () => DeleteRegistryAsync(fixture.Admin, registry.Name, "")),
            ("query with a wrong name", () => DeleteRegistryAsync(fixture.Admin, registry.Name, null, "wrong-name")),
            ("query with an empty confirmation", () => DeleteRegistryAsync(fixture.Admin, registry.Name, null, "")),
            ("query with the name plus a suffix", () => DeleteRegistryAsync(fixture.Admin, registry.Name, null, registry.Name + "x")),
            ("empty JSON object", () => fixture.Admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path)
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            })),
            ("malformed JSON", () => fixture.Admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path)
            {
                Content = new StringContent("{\"confirm\":", Encoding.UTF8, "application/json"),
            })),
        };

        foreach (var (what, send) in attempts)
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"DELETE with {what}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.OK, await DetailStatusAsync(fixture.Admin, registry.Name));
        }

        // Everything is still there and still works.
        var after = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal(before, after);
        Assert.Equal(image.Blobs.Sum(b => b.Size), after.StorageUsageBytes);
        Assert.Single(await fixture.Admin.ListRepositoriesAsync(registry.Name));
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("still"), remote, registry.Creds, image, "after refused deletes");
        using var basic = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password);
        await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "credentials after refused deletes");
        Assert.Contains(await fixture.Admin.ListRegistriesAsync(registry.Project), r => r.Name == registry.Name);
    }

    [Fact]
    public async Task DeleteConfirmedByAJsonBodyWithoutContentLengthIsAccepted()
    {
        // HttpClient's JsonContent (PostAsJsonAsync, SendAsync with JsonContent.Create) streams the body: no Content-Length,
        // Transfer-Encoding chunked. The confirmation in such a body is as valid as one with a Content-Length.
        var registry = await fixture.NewRegistryAsync("dj");
        using var deleted = await DeleteRegistryAsync(fixture.Admin, registry.Name, registry.Name, chunked: true);
        Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
            $"DELETE with a chunked JSON body {{\"confirm\":\"{registry.Name}\"}}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.NotFound, await DetailStatusAsync(fixture.Admin, registry.Name));
    }

    [Fact]
    public async Task DeleteRevokesEverythingPurgesItsBlobsAndLeavesIdenticalLayersOfOtherRegistriesIntact()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("dp"));
        var elsewhere = await fixture.Admin.CreateProjectAsync(Names.Unique("dq"));
        var image = fixture.BuildImage(seed: 3202, layers: 3, tag: "v1");

        // B (same project as A) and C (another project) hold exactly the layers A will hold.
        var (b, bId) = await CreateAndPushAsync(project.Name, "db", image);
        var (c, cId) = await CreateAndPushAsync(elsewhere.Name, "dcc", image);
        var (a, aId) = await CreateAndPushAsync(project.Name, "da", image);
        Assert.Equal(3, new[] { aId, bId, cId }.Distinct().Count());
        foreach (var (digest, _) in image.Blobs)
        {
            Assert.True(File.Exists(BlobTree.BlobFile(Server.DataDir, aId, digest)), $"A's blob {digest} is not where the layout says");
        }

        var repoA = a.Repo("app");
        var oldToken = await TokenAsync(Server, a.Username, a.Password, FullScope(repoA));
        using (var cached = await BasicAsync(Server, HttpMethod.Get, "v2/", a.Username, a.Password))
        {
            await OciAssert.StatusAsync(cached, HttpStatusCode.OK, "A's Basic before the delete");
        }

        // Each registry holds its own scan of the image (scanned on push).
        Assert.True(await EventuallyAsync(() => CountScanRows(Server.DataDir, image.ManifestDigest) == 3, PurgeWait), "the three scans were not queued");

        using var uploadClient = fixture.Client(a);
        var pendingUpload = await uploadClient.StartUploadAsync(repoA);
        var bUsage = (await fixture.Admin.GetRegistryAsync(b.Name)).StorageUsageBytes;
        var cUsage = (await fixture.Admin.GetRegistryAsync(c.Name)).StorageUsageBytes;

        using (var deleted = await DeleteRegistryAsync(fixture.Admin, a.Name, a.Name))
        {
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
                $"delete of {a.Name}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
        }

        // A's credentials: 401 everywhere, whatever the path and however they are presented.
        foreach (var path in new[] { "v2/", $"v2/{repoA}/manifests/v1", $"v2/{repoA}/blobs/{image.Layers[0].Digest}", $"v2/{repoA}/tags/list" })
        {
            using var basic = await BasicAsync(Server, HttpMethod.Get, path, a.Username, a.Password);
            await OciAssert.StatusAsync(basic, HttpStatusCode.Unauthorized, $"A's Basic on {path} after the delete" + fixture.ServerLog);
            if (path != "v2/")
            {
                using var bearer = await BearerAsync(Server, HttpMethod.Get, path, oldToken, null, ("Accept", RegistryClient.ManifestAccept));
                await OciAssert.StatusAsync(bearer, HttpStatusCode.Unauthorized, $"A's old token on {path} after the delete");
            }
        }

        using (var token = await TokenRequestAsync(Server, a.Username, a.Password, FullScope(repoA)))
        {
            await OciAssert.StatusAsync(token, HttpStatusCode.Unauthorized, "/auth/token with A's credentials after the delete");
        }

        using (var patch = await uploadClient.PatchAsync(pendingUpload, ImageContent.RandomBlob(1024), 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Unauthorized, "A's upload session after the delete");
        }

        // Other callers under A's path: the registry does not exist.
        using (var basic = await BasicAsync(Server, HttpMethod.Get, $"v2/{repoA}/manifests/v1", b.Username, b.Password))
        {
            await OciAssert.ErrorAsync(basic, HttpStatusCode.NotFound, "NAME_UNKNOWN", "B's Basic on A's path");
        }

        using (var bClient = fixture.Client(b))
        using (var bearer = await bClient.GetManifestAsync(repoA, "v1"))
        {
            await OciAssert.ErrorAsync(bearer, HttpStatusCode.NotFound, "NAME_UNKNOWN", "B's token on A's path");
        }

        using (var cClient = fixture.Client(c, RegistryAuthMode.Basic))
        using (var head = await cClient.HeadAsync($"v2/{repoA}/blobs/{image.Layers[0].Digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, "C's Basic HEAD of a blob under A's path");
        }

        // Clients.
        var pull = await _skopeo.CopyAsync(Skopeo.Docker(a.Image("app", "v1")), $"oci:{fixture.NewDir("gone")}:x", sourceCreds: a.Creds);
        Assert.False(pull.Succeeded, "skopeo pull from the deleted registry succeeded: " + pull);
        var push = await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(a.Image("app", "again")), destinationCreds: a.Creds);
        Assert.False(push.Succeeded, "skopeo push to the deleted registry succeeded: " + push);
        var pushB = await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(a.Image("app", "again")), destinationCreds: b.Creds);
        Assert.False(pushB.Succeeded, "skopeo push under the deleted registry's path with B's credentials succeeded: " + pushB);

        // Management API.
        Assert.Equal(HttpStatusCode.NotFound, await DetailStatusAsync(fixture.Admin, a.Name));
        using (var repos = await fixture.Admin.Http.GetAsync($"api/v1/registries/{a.Name}/repositories"))
        {
            Assert.Equal(HttpStatusCode.NotFound, repos.StatusCode);
        }

        Assert.DoesNotContain(await fixture.Admin.ListRegistriesAsync(project.Name), r => r.Name == a.Name);
        Assert.Equal(1, (await fixture.Admin.GetJsonAsync<ProjectInfo>($"api/v1/projects/{project.Name}")).RegistryCount);

        // A's scan data went with it at once; B's and C's scans of the same image stay.
        Assert.Equal(2, CountScanRows(Server.DataDir, image.ManifestDigest));

        // B and C: untouched, byte for byte.
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("b"), Skopeo.Docker(b.Image("app", "v1")), b.Creds, image, "B after A's delete");
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("c"), Skopeo.Docker(c.Image("app", "v1")), c.Creds, image, "C after A's delete");
        Assert.Equal(bUsage, (await fixture.Admin.GetRegistryAsync(b.Name)).StorageUsageBytes);
        Assert.Equal(cUsage, (await fixture.Admin.GetRegistryAsync(c.Name)).StorageUsageBytes);

        // The purge: nothing of A is left on disk; B's and C's trees hold every blob.
        var purged = await EventuallyAsync(() => BlobTree.Files(Server.DataDir, aId).Count == 0, PurgeWait);
        Assert.True(purged, $"files of deleted registry {aId} still on disk after {PurgeWait.TotalSeconds:0} s: "
            + string.Join(", ", BlobTree.Files(Server.DataDir, aId)) + fixture.ServerLog);
        foreach (var id in new[] { bId, cId })
        {
            foreach (var (digest, size) in image.Blobs)
            {
                var file = BlobTree.BlobFile(Server.DataDir, id, digest);
                Assert.True(File.Exists(file), $"blob {digest} of registry {id} is gone after another registry's purge");
                Assert.Equal(size, new FileInfo(file).Length);
            }
        }

        // The project's audit keeps the deletion.
        var events = await AuditAsync(fixture.Admin, $"api/v1/projects/{project.Name}/audit");
        var deletion = Assert.Single(events, e => Str(e, "action") == "registry.deleted" && Str(e, "registry") == a.Name);
        Assert.Equal("admin", Str(deletion, "actor"));
        Assert.Equal("127.0.0.1", Str(deletion, "remoteAddress"));
        Assert.Equal(project.Name, Str(deletion, "project"));
        Assert.DoesNotContain(events, e => Str(e, "registry") == b.Name && Str(e, "action") == "registry.deleted");
        using (var audit = await fixture.Admin.Http.GetAsync($"api/v1/registries/{a.Name}/audit"))
        {
            Assert.Equal(HttpStatusCode.NotFound, audit.StatusCode);
        }
    }

    [Fact]
    public async Task ReusedNameIsANewEmptyRegistryThatOldCredentialsAndTokensCannotOpen()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("dr"));
        var image = fixture.BuildImage(seed: 3203, layers: 2, tag: "v1");
        var (a, aId) = await CreateAndPushAsync(project.Name, "dn", image);
        var repoA = a.Repo("app");
        var oldToken = await TokenAsync(Server, a.Username, a.Password, FullScope(repoA));
        using (var cached = await BasicAsync(Server, HttpMethod.Get, "v2/", a.Username, a.Password))
        {
            await OciAssert.StatusAsync(cached, HttpStatusCode.OK, "Basic before the delete (now cached)");
        }

        // Confirmed through the query this time.
        using (var deleted = await DeleteRegistryAsync(fixture.Admin, a.Name, null, a.Name))
        {
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
                $"delete of {a.Name} with ?confirm=: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
        }

        // The name is free at once, in any project.
        var other = await fixture.Admin.CreateProjectAsync(Names.Unique("ds"));
        var before = BlobTree.RegistryIds(Server.DataDir);
        var reused = await fixture.Admin.CreateRegistryAsync(other.Name, a.Name);
        Assert.Equal(a.Name, reused.Name);
        Assert.Equal(a.Endpoint, reused.Endpoint);
        Assert.NotEqual(a.Password, reused.Password);

        var detail = await fixture.Admin.GetRegistryAsync(a.Name);
        Assert.Equal(other.Name, detail.Project);
        Assert.Equal(0, detail.StorageUsageBytes);
        Assert.Equal(0, detail.RepositoryCount);
        Assert.Empty(await fixture.Admin.ListRepositoriesAsync(a.Name));

        // Empty for its own credentials: the old image is unknown.
        using (var client = fixture.Client(reused))
        {
            using (var manifest = await client.GetManifestAsync(repoA, "v1"))
            {
                var error = await RegistryClient.ReadErrorAsync(manifest);
                Assert.True(manifest.StatusCode == HttpStatusCode.NotFound && error?.Code is "MANIFEST_UNKNOWN" or "NAME_UNKNOWN",
                    $"old manifest in the reused registry: {(int)manifest.StatusCode} {error?.Body}");
            }

            using (var byDigest = await client.GetManifestAsync(repoA, image.ManifestDigest))
            {
                await OciAssert.StatusAsync(byDigest, HttpStatusCode.NotFound, "old manifest by digest in the reused registry");
            }

            foreach (var (digest, _) in image.Blobs)
            {
                using var head = await client.HeadAsync($"v2/{repoA}/blobs/{digest}");
                await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, $"old blob {digest} in the reused registry");
            }

            using var tags = await client.GetAsync($"v2/{repoA}/tags/list");
            Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
        }

        var pull = await _skopeo.CopyAsync(Skopeo.Docker(a.Image("app", "v1")), $"oci:{fixture.NewDir("reuse")}:x", sourceCreds: reused.Creds);
        Assert.False(pull.Succeeded, "skopeo pulled the deleted registry's image from the reused name: " + pull);
        Assert.True(pull.Stderr.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase)
            || pull.Stderr.Contains("name unknown", StringComparison.OrdinalIgnoreCase)
            || pull.Stderr.Contains("not found", StringComparison.OrdinalIgnoreCase),
            "skopeo should fail because the image is unknown: " + pull);

        // The old password and the old token: 401, even though the name (= username) exists again.
        using (var basic = await BasicAsync(Server, HttpMethod.Get, "v2/", a.Username, a.Password))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.Unauthorized, "old password on the reused name" + fixture.ServerLog);
        }

        using (var token = await TokenRequestAsync(Server, a.Username, a.Password, FullScope(repoA)))
        {
            await OciAssert.StatusAsync(token, HttpStatusCode.Unauthorized, "/auth/token with the old password on the reused name");
        }

        using (var bearer = await BearerAsync(Server, HttpMethod.Get, $"v2/{repoA}/tags/list", oldToken))
        {
            await OciAssert.StatusAsync(bearer, HttpStatusCode.Unauthorized, "token of the deleted registry on the reused name");
        }

        using (var bearer = await BearerAsync(Server, HttpMethod.Post, $"v2/{repoA}/blobs/uploads/", oldToken))
        {
            await OciAssert.StatusAsync(bearer, HttpStatusCode.Unauthorized, "upload with the deleted registry's token on the reused name");
        }

        // It works as a registry of its own, in a tree of its own.
        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(reused.Image("app", "v1")), destinationCreds: reused.Creds)).EnsureSuccess();
        var reusedId = BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir));
        Assert.NotEqual(aId, reusedId);
        Assert.Equal(image.Blobs.Sum(x => x.Size), (await fixture.Admin.GetRegistryAsync(a.Name)).StorageUsageBytes);

        // Audit: the old registry's deletion stays in its project's log; the new registry's log is its own.
        var projectEvents = await AuditAsync(fixture.Admin, $"api/v1/projects/{project.Name}/audit");
        Assert.Single(projectEvents, e => Str(e, "action") == "registry.deleted" && Str(e, "registry") == a.Name);
        Assert.Single(projectEvents, e => Str(e, "action") == "registry.created" && Str(e, "registry") == a.Name);
        var reusedEvents = await AuditAsync(fixture.Admin, $"api/v1/registries/{a.Name}/audit");
        Assert.Contains(reusedEvents, e => Str(e, "action") == "registry.created" && Str(e, "project") == other.Name);
        Assert.DoesNotContain(reusedEvents, e => Str(e, "action") == "registry.deleted");
        var otherEvents = await AuditAsync(fixture.Admin, $"api/v1/projects/{other.Name}/audit");
        Assert.DoesNotContain(otherEvents, e => Str(e, "action") == "registry.deleted");
    }

    [Fact]
    public async Task PushesInFlightDuringTheDeleteAreNotStoredAndLeaveNothingOnDisk()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("df"));
        var image = fixture.BuildImage(seed: 3204, layers: 1, tag: "v1");
        var (a, aId) = await CreateAndPushAsync(project.Name, "dfa", image);
        var name = a.Repo("inflight");
        using var client = fixture.Client(a);

        // A chunk of an upload session and a monolithic upload, each half sent when the delete happens.
        var location = await client.StartUploadAsync(name);
        var chunk = new GatedContent(ImageContent.RandomBlob(256 * 1024), ImageContent.RandomBlob(256 * 1024), announceLength: false);
        var patch = SendCatchingAsync(client, HttpMethod.Patch, location, chunk);
        var whole = ImageContent.RandomBlob(512 * 1024);
        var monolithic = new GatedContent(whole[..(256 * 1024)], whole[(256 * 1024)..], announceLength: true);
        var post = SendCatchingAsync(client, HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={ImageContent.DigestOf(whole)}", monolithic);
        await Task.WhenAll(chunk.FirstPartSent, monolithic.FirstPartSent).WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(300);

        using (var deleted = await DeleteRegistryAsync(fixture.Admin, a.Name, a.Name))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        chunk.Release();
        monolithic.Release();
        var (patchStatus, patchBody) = await patch.WaitAsync(TimeSpan.FromSeconds(30));
        var (postStatus, postBody) = await post.WaitAsync(TimeSpan.FromSeconds(30));
        var purged = await EventuallyAsync(() => BlobTree.Files(Server.DataDir, aId).Count == 0, PurgeWait);
        Assert.True(purged, $"files of deleted registry {aId} remain after pushes that were in flight: "
            + string.Join(", ", BlobTree.Files(Server.DataDir, aId)) + fixture.ServerLog);

        // Refused as a client error (the registry is gone), never accepted, never an internal error.
        Assert.True(patchStatus is null or (>= 400 and < 500), $"a chunk finished after the delete: {patchStatus} {patchBody}" + fixture.ServerLog);
        Assert.True(postStatus is null or (>= 400 and < 500), $"a monolithic blob finished after the delete: {postStatus} {postBody}" + fixture.ServerLog);
    }

    /// <summary>Creates a registry, pushes <paramref name="image"/> to <c>app:v1</c> with skopeo, and learns its id on disk.</summary>
    private async Task<(CreatedRegistry Registry, string Id)> CreateAndPushAsync(string project, string prefix, OciImage image)
    {
        var before = BlobTree.RegistryIds(Server.DataDir);
        var registry = await fixture.Admin.CreateRegistryAsync(project, Names.Unique(prefix));
        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        return (registry, BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir)));
    }
}
