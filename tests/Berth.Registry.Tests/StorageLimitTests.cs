using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// A server whose new registries get a 3 MiB allocation, so limits are reached with small images, and whose
/// allocations move in steps of 1 GiB, so the tests can resize to 1 and 2 GiB.
/// </summary>
public sealed class SmallAllocationFixture : ConfiguredBerthFixture
{
    public const long DefaultLimit = 3 * 1024 * 1024;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Registries__DefaultStorageLimitBytes"] = DefaultLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Berth__Registries__AllocationStep"] = "1GiB",
    };
}

/// <summary>
/// docs/api.md, "Resize": resizing takes effect at once, shrinking below usage is 409, a push past the allocation is
/// refused with 403 DENIED (before its bytes when the size is known, at the commit otherwise) and leaves nothing
/// behind, pulls keep working, deleting an image frees exactly the blobs only it used; usage stays exact under
/// concurrent pushes and deletes.
/// </summary>
public sealed class StorageLimitTests(SmallAllocationFixture fixture) : IClassFixture<SmallAllocationFixture>
{
    private const long GiB = 1024L * 1024 * 1024;

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task ResizeTakesEffectAtOnce()
    {
        var registry = await fixture.NewRegistryAsync("sz");
        Assert.Equal(SmallAllocationFixture.DefaultLimit, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);

        // 4 MiB does not fit the 3 MiB allocation…
        var blob = ImageContent.RandomBlob(4 * 1024 * 1024);
        using var client = fixture.Client(registry);
        var name = registry.Repo("big");
        using (var refused = await client.PostBlobMonolithicAsync(name, blob))
        {
            await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", "4 MiB into 3 MiB");
        }

        // …and does right after growing it.
        using (var response = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = 20 }))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"resize to 20 GiB: {(int)response.StatusCode} {body}");
            using var document = JsonDocument.Parse(body);
            Assert.Equal(21474836480L, document.RootElement.GetProperty("storageLimitBytes").GetInt64());
            Assert.Equal(registry.Name, document.RootElement.GetProperty("name").GetString());
        }

        Assert.Equal(21474836480L, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
        await client.PushBlobAsync(name, blob);
        Assert.Equal(blob.LongLength, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);

        var events = await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit");
        var resized = Assert.Single(events, e => Str(e, "action") == "registry.resized");
        Assert.Equal("admin", Str(resized, "actor"));
    }

    [Fact]
    public async Task ShrinkingBelowUsageIsAConflictAndLeavesTheLimitAlone()
    {
        var registry = await fixture.NewRegistryAsync("ss");
        await ResizeAsync(registry.Name, 2, HttpStatusCode.OK);

        // Usage above 1 GiB (the smallest allocation the API can set): one blob of 1 GiB + 1 byte, streamed.
        var size = GiB + 1;
        var digest = ZeroContent.DigestOf(size);
        using (var client = fixture.Client(registry))
        using (var pushed = await client.SendAsync(HttpMethod.Post, $"v2/{registry.Repo("huge")}/blobs/uploads/?digest={digest}", new ZeroContent(size)))
        {
            await OciAssert.StatusAsync(pushed, HttpStatusCode.Created, "1 GiB + 1 byte into 2 GiB" + fixture.ServerLog);
        }

        Assert.Equal(size, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);

        using (var response = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = 1 }))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"shrink below usage: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var detail = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal(2 * GiB, detail.StorageLimitBytes);
        Assert.Equal(size, detail.StorageUsageBytes);

        // The refused shrink is not in the audit log: only the one resize that happened.
        Assert.Single(await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit"), e => Str(e, "action") == "registry.resized");
    }

    [Fact]
    public async Task PushesPastTheAllocationFailCleanlyAndDeletingAnImageMakesRoom()
    {
        const long limit = SmallAllocationFixture.DefaultLimit;
        var small = new OciImageBuilder { Seed = 3601, LayerCount = 2, FilesPerLayer = 3, FileSize = 96 * 1024, Tag = "small" }.Build(fixture.NewDir("small"));
        var big = new OciImageBuilder { Seed = 3602, LayerCount = 3, FilesPerLayer = 3, FileSize = 288 * 1024, Tag = "big" }.Build(fixture.NewDir("big"));
        var smallSize = small.Blobs.Sum(b => b.Size);
        var bigSize = big.Blobs.Sum(b => b.Size);
        Assert.True(smallSize + bigSize > limit && bigSize <= limit, $"test images: small {smallSize}, big {bigSize}, limit {limit}");

        var before = BlobTree.RegistryIds(Server.DataDir);
        var registry = await fixture.NewRegistryAsync("sp");
        var smallRemote = Skopeo.Docker(registry.Image("app", "small"));
        var bigRemote = Skopeo.Docker(registry.Image("app", "big"));
        (await _skopeo.CopyAsync(small.OciReference, smallRemote, destinationCreds: registry.Creds)).EnsureSuccess();
        var registryId = BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir));
        var usage = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.Equal(smallSize, usage);
        var room = limit - usage;
        var smallFiles = small.Blobs.Select(b => BlobTree.BlobFile(Server.DataDir, registryId, b.Digest)).Order(StringComparer.Ordinal).ToList();

        using var client = fixture.Client(registry);
        var name = registry.Repo("raw");

        // 1. Monolithic POST ?digest= with a Content-Length beyond the room: refused before the bytes are taken.
        var tooBig = ImageContent.RandomBlob((int)room + 1);
        var tooBigDigest = ImageContent.DigestOf(tooBig);
        using (var refused = await client.PostBlobMonolithicAsync(name, tooBig, tooBigDigest))
        {
            var error = await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", "monolithic push past the allocation" + fixture.ServerLog);
            Assert.Contains("limit", error.Message ?? "", StringComparison.OrdinalIgnoreCase);
            Assert.Contains(ByteSize.Format(limit), error.Message ?? "", StringComparison.Ordinal);
            Assert.Contains(ByteSize.Format(usage), error.Message ?? "", StringComparison.Ordinal);
        }

        await AssertNothingLeftAsync(registry, client, name, tooBigDigest, usage, registryId, smallFiles, "after the refused monolithic push");

        // 2. Chunked with sizes announced: the PATCH that would overflow is refused.
        var chunked = ImageContent.RandomBlob((int)room + 64 * 1024);
        var chunkedDigest = ImageContent.DigestOf(chunked);
        var location = await client.StartUploadAsync(name);
        using (var first = await client.PatchAsync(location, chunked[..(64 * 1024)], 0))
        {
            await OciAssert.StatusAsync(first, HttpStatusCode.Accepted, "first chunk (fits)");
            location = OciAssert.Header(first, "Location");
        }

        using (var second = await client.PatchAsync(location, chunked[(64 * 1024)..], 64 * 1024))
        {
            var error = await OciAssert.ErrorAsync(second, HttpStatusCode.Forbidden, "DENIED", "PATCH past the allocation");
            Assert.Contains("limit", error.Message ?? "", StringComparison.OrdinalIgnoreCase);
        }

        using (var put = await client.PutUploadAsync(location, chunkedDigest))
        {
            Assert.True(put.StatusCode != HttpStatusCode.Created, "the refused upload completed anyway: " + await put.Content.ReadAsStringAsync());
        }

        using (var cancel = await client.DeleteAsync(location))
        {
            Assert.True(cancel.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound,
                $"cancel of the refused upload: {(int)cancel.StatusCode} {await cancel.Content.ReadAsStringAsync()}");
        }

        await AssertNothingLeftAsync(registry, client, name, chunkedDigest, usage, registryId, smallFiles, "after the refused PATCH");

        // 3. Chunked without announced sizes (Transfer-Encoding chunked): accepted into the session, refused at the PUT.
        var streamed = ImageContent.RandomBlob((int)room + 1);
        var streamedDigest = ImageContent.DigestOf(streamed);
        location = await client.StartUploadAsync(name);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, client.Resolve(location)) { Content = new UnknownLengthContent(streamed) })
        using (var accepted = await client.SendAsync(patch))
        {
            if (accepted.StatusCode == HttpStatusCode.Accepted)
            {
                location = OciAssert.Header(accepted, "Location");
                using var put = await client.PutUploadAsync(location, streamedDigest);
                var error = await OciAssert.ErrorAsync(put, HttpStatusCode.Forbidden, "DENIED", "PUT completing an upload past the allocation" + fixture.ServerLog);
                Assert.Contains("limit", error.Message ?? "", StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                await OciAssert.ErrorAsync(accepted, HttpStatusCode.Forbidden, "DENIED", "streamed PATCH past the allocation");
                using var cancel = await client.DeleteAsync(location);
            }
        }

        await AssertNothingLeftAsync(registry, client, name, streamedDigest, usage, registryId, smallFiles, "after the refused PUT");

        // 4. A real client: skopeo's push of an image too big for the room left fails; pulls still work.
        var push = await _skopeo.CopyAsync(big.OciReference, bigRemote, destinationCreds: registry.Creds);
        Assert.False(push.Succeeded, "skopeo pushed past the allocation: " + push);
        Assert.Contains("denied", push.Stderr, StringComparison.OrdinalIgnoreCase);
        var afterFailedPush = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.True(afterFailedPush.StorageUsageBytes <= limit, $"usage {afterFailedPush.StorageUsageBytes} beyond the limit {limit}");
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("pull-small"), smallRemote, registry.Creds, small, "at the allocation");
        using (var manifest = await client.GetManifestAsync(registry.Repo("app"), "big"))
        {
            Assert.Equal(HttpStatusCode.NotFound, manifest.StatusCode);
        }

        // 5. Deleting the small image frees exactly its blobs; then the big one fits.
        using (var deleted = await client.DeleteAsync($"v2/{registry.Repo("app")}/manifests/{small.ManifestDigest}"))
        {
            await OciAssert.StatusAsync(deleted, HttpStatusCode.Accepted, "delete of the small image");
        }

        var afterDelete = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.Equal(afterFailedPush.StorageUsageBytes - smallSize, afterDelete);
        foreach (var file in smallFiles)
        {
            Assert.False(File.Exists(file), $"blob file {file} of the deleted image is still on disk");
        }

        (await _skopeo.CopyAsync(big.OciReference, bigRemote, destinationCreds: registry.Creds)).EnsureSuccess();
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("pull-big"), bigRemote, registry.Creds, big, "after making room");
        Assert.Equal(bigSize, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
    }

    [Fact]
    public async Task AMonolithicPushPastTheAllocationIsRefusedBeforeItsBodyIsSent()
    {
        var registry = await fixture.NewRegistryAsync("sq");
        var name = registry.Repo("app");
        var blob = ImageContent.RandomBlob((int)SmallAllocationFixture.DefaultLimit + 1);

        // The handler would send the body anyway after Expect100ContinueTimeout (1 s by default): long enough here that
        // only the server's answer decides.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);

        // With Expect: 100-continue the client sends the body only once the server asks for it (100 Continue), which
        // Kestrel does when the handler first reads the body. A refusal decided on the announced size comes first, and
        // not one byte of the body goes out.
        var body = new GatedContent(blob[..(64 * 1024)], blob[(64 * 1024)..], announceLength: true);
        body.Release();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={ImageContent.DigestOf(blob)}") { Content = body };
        request.Headers.ExpectContinue = true;
        using var refused = await client.SendAsync(request);
        await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", "monolithic push past the allocation with Expect: 100-continue");
        Assert.False(body.FirstPartSent.IsCompleted, "the client was asked for the body of a push that was going to be refused");
        Assert.Equal(0, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
    }

    [Fact]
    public async Task UsageStaysExactUnderConcurrentPushesAndDeletes()
    {
        var registry = await fixture.NewRegistryAsync("sc");
        await ResizeAsync(registry.Name, 1, HttpStatusCode.OK);
        const int fileSize = 8 * 1024;
        var baseA = OciImageBuilder.CreateLayer(3700, 0, 3, fileSize);
        var baseB = OciImageBuilder.CreateLayer(3701, 0, 3, fileSize);
        OciImage Build(int seed, (byte[], string) baseLayer, string tag) =>
            new OciImageBuilder { Seed = seed, LayerCount = 1, FilesPerLayer = 3, FileSize = fileSize, Tag = tag, BaseLayers = [baseLayer] }
                .Build(fixture.NewDir("conc"));

        var repoA = registry.Repo("conc/a");
        var repoB = registry.Repo("conc/b");

        // Two images that are deleted while new images that share their base layers are pushed.
        var old1 = Build(3710, baseA, "old1");
        var old2 = Build(3711, baseB, "old2");
        using (var client = fixture.Client(registry))
        {
            await client.PushImageAsync(repoA, old1);
            await client.PushImageAsync(repoB, old2);
        }

        var viaSkopeo = Enumerable.Range(0, 3).Select(i => Build(3720 + i, baseA, $"n{i + 1}")).ToList();
        var viaHttp = Enumerable.Range(0, 3).Select(i => Build(3730 + i, baseB, $"n{i + 4}")).ToList();
        var tasks = new List<Task>();
        tasks.AddRange(viaSkopeo.Select(image => WithRetriesAsync($"skopeo push {image.Tag}", async () =>
            (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("conc/a", image.Tag)), destinationCreds: registry.Creds)).EnsureSuccess())));
        tasks.AddRange(viaHttp.Select(image => WithRetriesAsync($"raw push {image.Tag}", async () =>
        {
            using var client = fixture.Client(registry);
            await client.PushImageAsync(repoB, image);
        })));
        tasks.Add(DeleteManifestAsync(registry, repoA, old1.ManifestDigest));
        tasks.Add(DeleteManifestAsync(registry, repoB, old2.ManifestDigest));
        await Task.WhenAll(tasks);

        // Independent recount from what /v2 serves: unique blobs referenced by the remaining manifests.
        using var reader = fixture.Client(registry);
        var referenced = new Dictionary<string, long>(StringComparer.Ordinal);
        var perRepository = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (repo, expectedTags) in new[] { (repoA, new[] { "n1", "n2", "n3" }), (repoB, new[] { "n4", "n5", "n6" }) })
        {
            using var tagsResponse = await reader.GetAsync($"v2/{repo}/tags/list");
            await OciAssert.StatusAsync(tagsResponse, HttpStatusCode.OK, "tags of " + repo);
            using var tagsJson = JsonDocument.Parse(await tagsResponse.Content.ReadAsStringAsync());
            var tags = tagsJson.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expectedTags, tags);
            var inRepository = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                using var manifest = await reader.GetManifestAsync(repo, tag);
                await OciAssert.StatusAsync(manifest, HttpStatusCode.OK, $"{repo}:{tag}");
                using var document = JsonDocument.Parse(await manifest.Content.ReadAsByteArrayAsync());
                var descriptors = document.RootElement.GetProperty("layers").EnumerateArray().Prepend(document.RootElement.GetProperty("config"));
                foreach (var descriptor in descriptors)
                {
                    var digest = descriptor.GetProperty("digest").GetString()!;
                    var size = descriptor.GetProperty("size").GetInt64();
                    referenced[digest] = size;
                    inRepository[digest] = size;
                    using var head = await reader.HeadAsync($"v2/{repo}/blobs/{digest}");
                    await OciAssert.StatusAsync(head, HttpStatusCode.OK, $"blob {digest} of {repo}:{tag} after the concurrent run" + fixture.ServerLog);
                    Assert.Equal(size, head.Content.Headers.ContentLength);
                }
            }

            perRepository[repo[(registry.Name.Length + 1)..]] = inRepository.Values.Sum();
        }

        foreach (var (repo, digest) in new[] { (repoA, old1.ManifestDigest), (repoB, old2.ManifestDigest) })
        {
            using var gone = await reader.GetManifestAsync(repo, digest);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        var expected = viaSkopeo.Concat(viaHttp).SelectMany(i => i.Blobs).DistinctBy(b => b.Digest).Sum(b => b.Size);
        Assert.Equal(expected, referenced.Values.Sum());
        var detail = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.True(detail.StorageUsageBytes == referenced.Values.Sum(),
            $"storageUsageBytes {detail.StorageUsageBytes} != recount {referenced.Values.Sum()} of {referenced.Count} blobs" + fixture.ServerLog);
        foreach (var repository in await fixture.Admin.ListRepositoriesAsync(registry.Name))
        {
            Assert.True(perRepository.TryGetValue(repository.Name, out var size), "unexpected repository " + repository.Name);
            Assert.True(size == repository.SizeBytes, $"repository {repository.Name}: sizeBytes {repository.SizeBytes} != recount {size}");
        }
    }

    private async Task ResizeAsync(string registry, long gib, HttpStatusCode expected)
    {
        using var response = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry}", new { storageLimitGiB = gib });
        Assert.True(response.StatusCode == expected, $"resize {registry} to {gib} GiB: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task DeleteManifestAsync(CreatedRegistry registry, string repository, string digest)
    {
        using var client = fixture.Client(registry);
        using var response = await client.DeleteAsync($"v2/{repository}/manifests/{digest}");
        await OciAssert.StatusAsync(response, HttpStatusCode.Accepted, $"delete of {repository}@{digest}" + fixture.ServerLog);
    }

    /// <summary>
    /// A push racing a delete of an image that shares its layers may legitimately fail once (a layer it found
    /// present was released before its manifest arrived); clients then push again. Three attempts at most.
    /// </summary>
    private static async Task WithRetriesAsync(string what, Func<Task> push)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await push();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await Task.Delay(100);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"{what} failed three times", ex);
            }
        }
    }

    /// <summary>After a refused push: usage unchanged, the blob unknown, and on disk only the blobs that were there before.</summary>
    private async Task AssertNothingLeftAsync(CreatedRegistry registry, RegistryClient client, string name, string digest, long usage,
        string registryId, List<string> expectedFiles, string context)
    {
        Assert.Equal(usage, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        using (var head = await client.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, $"HEAD of the refused blob {context}");
        }

        var files = BlobTree.Files(Server.DataDir, registryId).Order(StringComparer.Ordinal).ToList();
        Assert.True(expectedFiles.SequenceEqual(files), $"files of the registry {context}:\n{string.Join("\n", files)}\nexpected only:\n{string.Join("\n", expectedFiles)}");
    }
}

/// <summary>
/// Issue 3, "Storage allocation": a registry's <c>storageLimitBytes</c> defaults to
/// <c>Berth:Registries:DefaultStorageLimitBytes</c>, 10 GiB when nothing is configured; changing the setting applies to
/// registries created from then on, not to existing ones (resized or not). One server with no override, then the same
/// data directory under a server with <c>Berth__Registries__DefaultStorageLimitBytes</c>.
/// </summary>
public sealed class DefaultAllocationTests : IAsyncLifetime
{
    private const long TenGiB = 10737418240L;
    private const long ConfiguredDefault = 5368709120L; // 5 GiB

    private BerthProcess _defaults = null!;
    private BerthProcess? _configured;

    public async Task InitializeAsync() => _defaults = await BerthProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_configured is not null)
        {
            await _configured.DisposeAsync();
        }

        // Owns the data directory: disposed last.
        await _defaults.DisposeAsync();
    }

    [Fact]
    public async Task WithoutConfigurationARegistryGets10GiBAndTheSettingChangesItForNewRegistriesOnly()
    {
        CreatedRegistry existing, resized;
        using (var admin = new ManagementClient(_defaults.BaseUrl, "admin", _defaults.AdminPassword))
        {
            existing = await admin.CreateProjectAndRegistryAsync("da");
            resized = await admin.CreateRegistryAsync(existing.Project, Names.Unique("dz"));
            var detail = await DetailJsonAsync(admin, existing.Name);
            Assert.Equal(TenGiB, detail.GetProperty("storageLimitBytes").GetInt64());
            Assert.Equal(0, detail.GetProperty("storageUsageBytes").GetInt64());
            Assert.All(await admin.ListRegistriesAsync(existing.Project), r => Assert.Equal(TenGiB, r.StorageLimitBytes));
            using var response = await admin.Http.PatchAsJsonAsync($"api/v1/registries/{resized.Name}", new { storageLimitGiB = 20 });
            Assert.True(response.IsSuccessStatusCode, $"resize: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await _defaults.StopAsync();
        _configured = await BerthProcess.StartAsync(_defaults.DataDir, _defaults.AdminPassword, new Dictionary<string, string>
        {
            ["Berth__Registries__DefaultStorageLimitBytes"] = ConfiguredDefault.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        using var configured = new ManagementClient(_configured.BaseUrl, "admin", _configured.AdminPassword);
        var created = await configured.CreateRegistryAsync(existing.Project, Names.Unique("dn"));
        Assert.Equal(ConfiguredDefault, (await DetailJsonAsync(configured, created.Name)).GetProperty("storageLimitBytes").GetInt64());
        Assert.Equal(TenGiB, (await DetailJsonAsync(configured, existing.Name)).GetProperty("storageLimitBytes").GetInt64());
        Assert.Equal(20L << 30, (await DetailJsonAsync(configured, resized.Name)).GetProperty("storageLimitBytes").GetInt64());
        var listed = (await configured.ListRegistriesAsync(existing.Project)).ToDictionary(r => r.Name, r => r.StorageLimitBytes);
        Assert.Equal(new Dictionary<string, long> { [existing.Name] = TenGiB, [resized.Name] = 20L << 30, [created.Name] = ConfiguredDefault }, listed);
    }
}
