using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// docs/api.md, "Reset password": the old password, its tokens and its cached verifications stop working with the
/// next request; nothing else about the registry changes; the reset is audited without any password.
/// </summary>
public sealed class PasswordResetTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task OldPasswordFailsForEveryClientAndTheNewOneWorks()
    {
        var registry = await fixture.NewRegistryAsync("rp");
        var image = fixture.BuildImage(seed: 3101, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("reset/app", "v1"));
        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();

        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);
        Assert.NotEqual(registry.Password, newPassword);
        var newCreds = registry.Username + ":" + newPassword;

        // The old password, through every client path.
        var login = await LoginAsync(new Skopeo(fixture.NewDir("login-old")), Server.Host, registry.Username, registry.Password);
        Assert.False(login.Succeeded, "skopeo login with the old password succeeded: " + login);
        var pull = await _skopeo.CopyAsync(remote, $"oci:{fixture.NewDir("old-pull")}:x", sourceCreds: registry.Creds);
        Assert.False(pull.Succeeded, "skopeo pull with the old password succeeded: " + pull);
        var other = fixture.BuildImage(seed: 3102, layers: 1, tag: "v2");
        var push = await _skopeo.CopyAsync(other.OciReference, Skopeo.Docker(registry.Image("reset/app", "old")), destinationCreds: registry.Creds);
        Assert.False(push.Succeeded, "skopeo push with the old password succeeded: " + push);
        using (var v2 = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(v2, HttpStatusCode.Unauthorized, "GET /v2/ with the old password" + fixture.ServerLog);
        }

        using (var token = await TokenRequestAsync(Server, registry.Username, registry.Password, FullScope(registry.Repo("reset/app"))))
        {
            await OciAssert.StatusAsync(token, HttpStatusCode.Unauthorized, "/auth/token with the old password");
        }

        // The new password: login, a byte-identical pull, a push.
        var loginNew = await LoginAsync(new Skopeo(fixture.NewDir("login-new")), Server.Host, registry.Username, newPassword);
        Assert.True(loginNew.Succeeded, "skopeo login with the new password failed: " + loginNew);
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("new-pull"), remote, newCreds, image, "new password after reset");
        (await _skopeo.CopyAsync(other.OciReference, Skopeo.Docker(registry.Image("reset/app", "v2")), destinationCreds: newCreds)).EnsureSuccess();
        Assert.Equal(other.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("reset/app", "v2")), newCreds));

        // Nothing pushed with the old password arrived.
        var tags = await fixture.Admin.ListTagsAsync(registry.Name, "reset/app");
        Assert.DoesNotContain(tags, t => t.Name == "old");
    }

    [Fact]
    public async Task TokensRefreshTokensAndCachedVerificationsOfTheOldPasswordAreRevokedAtOnce()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var name = registry.Repo("tok/app");
        PushedImage pushed;
        using (var client = fixture.Client(registry))
        {
            pushed = await ImageContent.PushSmallImageAsync(client, name, "v1");
        }

        var manifestPath = $"v2/{name}/manifests/v1";
        var accept = ("Accept", RegistryClient.ManifestAccept);

        // A bearer token, a refresh token and a cached Basic verification, each proven to work before the reset.
        var token = await TokenAsync(Server, registry.Username, registry.Password, FullScope(name));
        using (var before = await BearerAsync(Server, HttpMethod.Get, manifestPath, token, null, accept))
        {
            await OciAssert.StatusAsync(before, HttpStatusCode.OK, "bearer before the reset");
        }

        string refreshToken;
        using (var http = new HttpClient { BaseAddress = Server.BaseUrl })
        using (var form = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = registry.Username, ["password"] = registry.Password,
            ["service"] = "berth", ["scope"] = FullScope(name), ["access_type"] = "offline", ["client_id"] = "berth-tests",
        })))
        {
            var body = await form.Content.ReadAsStringAsync();
            Assert.True(form.StatusCode == HttpStatusCode.OK, "OAuth2 password grant: " + body);
            using var document = JsonDocument.Parse(body);
            refreshToken = document.RootElement.GetProperty("refresh_token").GetString()!;
        }

        using (var basic = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "Basic before the reset");
        }

        using (var basic = await BasicAsync(Server, HttpMethod.Head, $"v2/{name}/blobs/{pushed.LayerDigest}", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "Basic (cached) before the reset");
        }

        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);

        // The very next requests.
        using (var after = await BearerAsync(Server, HttpMethod.Get, manifestPath, token, null, accept))
        {
            await OciAssert.StatusAsync(after, HttpStatusCode.Unauthorized, "bearer token issued before the reset" + fixture.ServerLog);
        }

        using (var after = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(after, HttpStatusCode.Unauthorized, "cached Basic verification of the old password");
        }

        using (var after = await BasicAsync(Server, HttpMethod.Head, $"v2/{name}/blobs/{pushed.LayerDigest}", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(after, HttpStatusCode.Unauthorized, "cached Basic verification of the old password on a blob");
        }

        using (var http = new HttpClient { BaseAddress = Server.BaseUrl })
        using (var refreshed = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["service"] = "berth",
            ["scope"] = FullScope(name), ["client_id"] = "berth-tests",
        })))
        {
            Assert.True(refreshed.StatusCode == HttpStatusCode.Unauthorized,
                $"refresh token issued before the reset: {(int)refreshed.StatusCode} {await refreshed.Content.ReadAsStringAsync()}");
        }

        // The new password works through both paths.
        var newToken = await TokenAsync(Server, registry.Username, newPassword, FullScope(name));
        using (var ok = await BearerAsync(Server, HttpMethod.Get, manifestPath, newToken, null, accept))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "bearer token of the new password");
        }

        using (var ok = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, newPassword))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "Basic with the new password");
        }
    }

    [Fact]
    public async Task ResetChangesNothingButThePassword()
    {
        var registry = await fixture.NewRegistryAsync("rn");
        var first = fixture.BuildImage(seed: 3111, layers: 2, tag: "1.0");
        var second = fixture.BuildImage(seed: 3112, layers: 1, tag: "2.0");
        (await _skopeo.CopyAsync(first.OciReference, Skopeo.Docker(registry.Image("team/api", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await _skopeo.CopyAsync(first.OciReference, Skopeo.Docker(registry.Image("team/api", "stable")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await _skopeo.CopyAsync(second.OciReference, Skopeo.Docker(registry.Image("web", "2.0")), destinationCreds: registry.Creds)).EnsureSuccess();

        var detailBefore = await DetailJsonAsync(fixture.Admin, registry.Name);
        var reposBefore = WithoutPullStatistics(await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories"));
        var apiTagsBefore = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/team/api/tags")).GetRawText();
        var webTagsBefore = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/web/tags")).GetRawText();
        var digestsBefore = await ManifestDigestsAsync(registry.Creds, registry);

        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);

        var detailAfter = await DetailJsonAsync(fixture.Admin, registry.Name);
        foreach (var field in new[] { "name", "project", "endpoint", "username", "createdAt", "storageUsageBytes", "storageLimitBytes", "repositoryCount" })
        {
            Assert.True(detailBefore.TryGetProperty(field, out var before), $"registry detail has no '{field}': {detailBefore}");
            Assert.True(detailAfter.TryGetProperty(field, out var after), $"registry detail after the reset has no '{field}': {detailAfter}");
            Assert.True(before.GetRawText() == after.GetRawText(), $"'{field}' changed with the reset: {before} -> {after}");
        }

        Assert.Equal(2, detailAfter.GetProperty("repositoryCount").GetInt32());
        Assert.Equal(first.Blobs.Concat(second.Blobs).Sum(b => b.Size), detailAfter.GetProperty("storageUsageBytes").GetInt64());
        Assert.Equal(reposBefore, WithoutPullStatistics(await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories")));
        Assert.Equal(apiTagsBefore, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/team/api/tags")).GetRawText());
        Assert.Equal(webTagsBefore, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/web/tags")).GetRawText());

        var digestsAfter = await ManifestDigestsAsync(registry.Username + ":" + newPassword, registry);
        Assert.Equal(digestsBefore, digestsAfter);
        Assert.Equal([first.ManifestDigest, first.ManifestDigest, second.ManifestDigest], digestsAfter);
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("after"), Skopeo.Docker(registry.Image("team/api", "stable")),
            registry.Username + ":" + newPassword, first, "after the reset");
    }

    public static TheoryData<RegistryAuthMode> Modes => new() { RegistryAuthMode.Bearer, RegistryAuthMode.Basic };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task UploadSessionStartedBeforeTheResetCannotBeContinuedWithTheOldCredentials(RegistryAuthMode mode)
    {
        var registry = await fixture.NewRegistryAsync("ru");
        var name = registry.Repo("upload/app");
        var blob = ImageContent.RandomBlob(2 * 65536);
        var digest = ImageContent.DigestOf(blob);
        var firstChunk = blob.AsSpan(0, 65536).ToArray();
        var secondChunk = blob.AsSpan(65536).ToArray();

        using var old = fixture.Client(registry, mode);
        var location = await old.StartUploadAsync(name);
        using (var patch = await old.PatchAsync(location, firstChunk, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, $"first chunk ({mode})");
            location = OciAssert.Header(patch, "Location");
        }

        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);

        // The same client (its cached token or its Basic header) can neither continue nor complete nor inspect it.
        using (var patch = await old.PatchAsync(location, secondChunk, firstChunk.Length))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Unauthorized, $"PATCH with the old credentials ({mode})" + fixture.ServerLog);
        }

        using (var put = await old.PutUploadAsync(location, digest, secondChunk))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Unauthorized, $"PUT with the old credentials ({mode})");
        }

        using (var put = await old.PutUploadAsync(location, ImageContent.DigestOf(firstChunk)))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Unauthorized, $"PUT (no body) with the old credentials ({mode})");
        }

        using (var status = await old.GetAsync(location))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.Unauthorized, $"upload status with the old credentials ({mode})");
        }

        // Nothing was completed: the blob is unknown to the registry and nothing counts against its allocation.
        using var fresh = new RegistryClient(Server.BaseUrl, registry.Username, newPassword, mode);
        using (var head = await fresh.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, $"blob of the interrupted upload ({mode})");
        }

        using (var head = await fresh.HeadAsync($"v2/{name}/blobs/{ImageContent.DigestOf(firstChunk)}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, $"first chunk as a blob ({mode})");
        }

        Assert.Equal(0, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
    }

    /// <summary>
    /// docs/api.md, "Reset password", and issue 3: pulls and pushes in flight when the reset happens either finish or
    /// fail with 401, and never corrupt data. Held open across the reset, each authenticated with the old password and
    /// proven (on disk, or by the bytes already received) to be inside the server: a chunk of an upload session (bearer
    /// token, body streamed), a monolithic upload (Basic, Content-Length) and two slow downloads of a 48 MiB blob (one
    /// per auth mode). Afterwards the store agrees with itself, the old credentials cannot complete the session, and
    /// the image pulls byte-identical with the new password.
    /// </summary>
    [Fact]
    public async Task PushesAndPullsInFlightAcrossTheResetFinishOrFailWith401AndNeverCorruptTheStore()
    {
        const int MiB = 1024 * 1024;
        var before = BlobTree.RegistryIds(Server.DataDir);
        var registry = await fixture.NewRegistryAsync("rf");
        var image = fixture.BuildImage(seed: 3121, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("flight/app", "v1"));
        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        var registryId = BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir));
        var name = registry.Repo("flight/app");

        // Far more than loopback socket buffers hold: the server is still sending it when the reset happens.
        var large = ImageContent.RandomBlob(48 * MiB);
        using var bearer = fixture.Client(registry);
        using var basic = fixture.Client(registry, RegistryAuthMode.Basic);
        var largeDigest = await basic.PushBlobAsync(name, large);

        // 1. A chunk of an upload session, streamed; its first 1.5 MiB go out now, the rest after the reset.
        var location = await bearer.StartUploadAsync(name);
        var uploadId = location.TrimEnd('/')[(location.TrimEnd('/').LastIndexOf('/') + 1)..];
        var sessionFile = Path.Combine(BlobTree.RegistryDir(Server.DataDir, registryId), "uploads", uploadId, "data");
        var chunkBytes = ImageContent.RandomBlob(2 * MiB);
        var chunk = new GatedContent(chunkBytes[..(3 * MiB / 2)], chunkBytes[(3 * MiB / 2)..], announceLength: false);
        var patch = SendCatchingAsync(bearer, HttpMethod.Patch, location, chunk);

        // 2. A monolithic upload with its length announced, likewise split.
        var whole = ImageContent.RandomBlob(2 * MiB);
        var wholeDigest = ImageContent.DigestOf(whole);
        var monolithic = new GatedContent(whole[..(3 * MiB / 2)], whole[(3 * MiB / 2)..], announceLength: true);
        var post = SendCatchingAsync(basic, HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={wholeDigest}", monolithic);

        // 3. Two downloads of the large blob, its first MiB read before the reset.
        using var download = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var token = await TokenAsync(Server, registry.Username, registry.Password, FullScope(name));
        var pulls = new List<(string Mode, HttpResponseMessage Response, Stream Body, System.Security.Cryptography.IncrementalHash Hash)>();
        foreach (var mode in new[] { "bearer", "basic" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{name}/blobs/{largeDigest}");
            request.Headers.Authorization = mode == "bearer"
                ? new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token)
                : ManagementClient.BasicAuth(registry.Username, registry.Password);
            var response = await download.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await OciAssert.StatusAsync(response, HttpStatusCode.OK, $"slow {mode} GET of the large blob before the reset");
            var body = await response.Content.ReadAsStreamAsync();
            var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var first = new byte[MiB];
            await body.ReadExactlyAsync(first);
            hash.AppendData(first);
            pulls.Add((mode, response, body, hash));
        }

        // Both uploads are inside the server, past authentication: their first MiB is on disk (the session's own file,
        // and the monolithic upload's staging file).
        await Task.WhenAll(chunk.FirstPartSent, monolithic.FirstPartSent).WaitAsync(TimeSpan.FromSeconds(20));
        var uploadsDir = Path.Combine(BlobTree.RegistryDir(Server.DataDir, registryId), "uploads");
        bool Receiving() =>
            File.Exists(sessionFile) && new FileInfo(sessionFile).Length >= MiB
            && Directory.GetFiles(uploadsDir, "*", SearchOption.AllDirectories)
                .Any(f => !f.StartsWith(Path.GetDirectoryName(sessionFile)!, StringComparison.Ordinal) && new FileInfo(f).Length >= MiB);
        Assert.True(await EventuallyAsync(Receiving, TimeSpan.FromSeconds(20)),
            "the held uploads never reached the server's storage: " + string.Join(", ", BlobTree.Files(Server.DataDir, registryId)) + fixture.ServerLog);

        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);
        var newCreds = registry.Username + ":" + newPassword;
        using (var v2 = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(v2, HttpStatusCode.Unauthorized, "a new request with the old password while the others are in flight");
        }

        chunk.Release();
        monolithic.Release();

        // The downloads: read on, slowly, to the end; each must be complete and exact.
        foreach (var (mode, response, body, hash) in pulls)
        {
            var buffer = new byte[256 * 1024];
            long total = MiB;
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    total += read;
                    await Task.Delay(2);
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                Assert.Fail($"the {mode} download in flight during the reset was cut off after {total} of {large.Length} bytes: {ex.Message}" + fixture.ServerLog);
            }

            Assert.True(total == large.LongLength, $"the {mode} download in flight during the reset ended after {total} of {large.Length} bytes");
            Assert.Equal(largeDigest, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
            hash.Dispose();
            await body.DisposeAsync();
            response.Dispose();
        }

        var (patchStatus, patchBody) = await patch.WaitAsync(TimeSpan.FromSeconds(30));
        var (postStatus, postBody) = await post.WaitAsync(TimeSpan.FromSeconds(30));

        // The chunk: accepted whole (exactly its bytes in the session) or refused with 401.
        Assert.True(patchStatus is 202 or 401, $"the chunk in flight during the reset: {patchStatus?.ToString() ?? "connection failed"} {patchBody}" + fixture.ServerLog);
        if (patchStatus == 202)
        {
            Assert.True(File.ReadAllBytes(sessionFile).AsSpan().SequenceEqual(chunkBytes), "the session holds other bytes than the chunk that was accepted");
        }

        // The monolithic upload: stored with exactly its bytes, or refused with 401 and not stored.
        Assert.True(postStatus is 201 or 401, $"the monolithic upload in flight during the reset: {postStatus?.ToString() ?? "connection failed"} {postBody}" + fixture.ServerLog);
        using var fresh = new RegistryClient(Server.BaseUrl, registry.Username, newPassword);
        using (var get = await fresh.GetAsync($"v2/{name}/blobs/{wholeDigest}"))
        {
            if (postStatus == 201)
            {
                await OciAssert.StatusAsync(get, HttpStatusCode.OK, "the monolithic blob accepted during the reset");
                Assert.True((await get.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(whole), "the monolithic blob accepted during the reset has other bytes");
            }
            else
            {
                await OciAssert.StatusAsync(get, HttpStatusCode.NotFound, "the monolithic blob refused during the reset");
            }
        }

        // The session opened with the old password: no more chunks, no completion, with its token or with Basic.
        var chunkDigest = ImageContent.DigestOf(chunkBytes);
        using var oldBasic = fixture.Client(registry, RegistryAuthMode.Basic);
        foreach (var (mode, old) in new[] { ("bearer", bearer), ("basic", oldBasic) })
        {
            using (var more = await old.PatchAsync(location, ImageContent.RandomBlob(1024), null))
            {
                await OciAssert.StatusAsync(more, HttpStatusCode.Unauthorized, $"another chunk with the old credentials ({mode})");
            }

            using (var put = await old.PutUploadAsync(location, chunkDigest))
            {
                await OciAssert.StatusAsync(put, HttpStatusCode.Unauthorized, $"completing the session with the old credentials ({mode})");
            }
        }

        using (var head = await fresh.HeadAsync($"v2/{name}/blobs/{chunkDigest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, "the chunk's blob after the old credentials tried to complete it");
        }

        // The store: exactly the image, the large blob and (if it was accepted) the monolithic blob, each intact, and
        // usage equal to a recount of the files.
        var expected = image.Blobs.Select(b => b.Digest).Append(largeDigest).ToList();
        if (postStatus == 201)
        {
            expected.Add(wholeDigest);
        }

        await AssertStoreConsistentAsync(fixture.Admin, Server.DataDir, registry.Name, registryId, expected, "after pushes and pulls in flight across the reset");
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("flight-pull"), remote, newCreds, image, "new password after a reset with transfers in flight");
        using (var get = await fresh.GetAsync($"v2/{name}/blobs/{largeDigest}"))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK, "the large blob with the new password");
            Assert.True((await get.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(large), "the large blob differs after the reset");
        }
    }

    [Fact]
    public async Task ResetIsAuditedWithActorAndAddressButNoPassword()
    {
        var registry = await fixture.NewRegistryAsync("ra");
        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);

        using var response = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/audit");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"audit: {(int)response.StatusCode} {body}");
        Assert.DoesNotContain(newPassword, body, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Password, body, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(body);
        var events = document.RootElement.EnumerateArray().ToList();
        var reset = events.Where(e => Str(e, "action") == "registry.password.reset").ToList();
        Assert.True(reset.Count == 1, "expected one registry.password.reset event: " + body);
        Assert.Equal("admin", Str(reset[0], "actor"));
        Assert.Equal("127.0.0.1", Str(reset[0], "remoteAddress"));
        Assert.Equal(registry.Name, Str(reset[0], "registry"));
        Assert.Equal(registry.Project, Str(reset[0], "project"));
        Assert.True(DateTimeOffset.TryParse(Str(reset[0], "at"), out var at) && at > DateTimeOffset.UtcNow.AddMinutes(-5),
            "audit timestamp: " + reset[0]);

        // Newest first: the reset comes before the creation.
        Assert.Equal("registry.password.reset", Str(events[0], "action"));
        Assert.Contains(events, e => Str(e, "action") == "registry.created");

        // Nowhere else either.
        var project = (await fixture.Admin.GetRawJsonAsync($"api/v1/projects/{registry.Project}/audit")).GetRawText();
        Assert.Contains("registry.password.reset", project, StringComparison.Ordinal);
        Assert.DoesNotContain(newPassword, project, StringComparison.Ordinal);
        var detail = (await DetailJsonAsync(fixture.Admin, registry.Name)).GetRawText();
        Assert.DoesNotContain(newPassword, detail, StringComparison.Ordinal);
    }

    private async Task<List<string>> ManifestDigestsAsync(string creds, CreatedRegistry registry) =>
    [
        await _skopeo.RawManifestDigestAsync(Skopeo.Docker(registry.Image("team/api", "1.0")), creds),
        await _skopeo.RawManifestDigestAsync(Skopeo.Docker(registry.Image("team/api", "stable")), creds),
        await _skopeo.RawManifestDigestAsync(Skopeo.Docker(registry.Image("web", "2.0")), creds),
    ];

    /// <summary>
    /// The repositories JSON without pull counters: this test's own pulls (before and after the reset) move them,
    /// which is not something the reset changed.
    /// </summary>
    private static string WithoutPullStatistics(System.Text.Json.JsonElement repositories)
    {
        var array = System.Text.Json.Nodes.JsonNode.Parse(repositories.GetRawText())!.AsArray();
        foreach (var repository in array)
        {
            repository!.AsObject().Remove("pullCount");
            repository.AsObject().Remove("lastPulledAt");
        }

        return array.ToJsonString();
    }
}
