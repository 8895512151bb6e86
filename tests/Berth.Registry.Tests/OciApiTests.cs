using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Core;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>The OCI Distribution API over raw HTTP: statuses, headers and error codes as the spec has them.</summary>
public sealed class OciApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private CreatedRegistry _registry = null!;
    private RegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _registry = await fixture.NewRegistryAsync("oci");
        _client = fixture.Client(_registry);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    private string Repo(string name) => _registry.Repo(name);

    // ---- base and auth -------------------------------------------------------------------------------------

    [Fact]
    public async Task BaseEndpointChallengesWithoutCredentialsAndAnswersWithThem()
    {
        using var anonymous = new RegistryClient(fixture.Server.BaseUrl, null, null, RegistryAuthMode.None);
        using (var response = await anonymous.GetAsync("v2/"))
        {
            await OciAssert.StatusAsync(response, HttpStatusCode.Unauthorized, fixture.ServerLog);
            var challenge = OciAssert.Header(response, "WWW-Authenticate");
            Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
            Assert.Contains($"realm=\"http://{fixture.Server.Host}/auth/token\"", challenge, StringComparison.Ordinal);
            Assert.Contains("service=\"berth\"", challenge, StringComparison.Ordinal);
        }

        using (var response = await _client.GetAsync("v2/"))
        {
            await OciAssert.StatusAsync(response, HttpStatusCode.OK, fixture.ServerLog);
        }

        using var basic = fixture.Client(_registry, RegistryAuthMode.Basic);
        using (var response = await basic.GetAsync("v2/"))
        {
            await OciAssert.StatusAsync(response, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task RepositoryChallengeCarriesTheScope()
    {
        using var anonymous = new RegistryClient(fixture.Server.BaseUrl, null, null, RegistryAuthMode.None);
        var name = Repo("scoped/app");
        using var response = await anonymous.GetManifestAsync(name, "latest");
        await OciAssert.StatusAsync(response, HttpStatusCode.Unauthorized);
        var challenge = OciAssert.Header(response, "WWW-Authenticate");
        Assert.Contains($"scope=\"repository:{name}:", challenge, StringComparison.Ordinal);
        Assert.Contains("pull", challenge, StringComparison.Ordinal);
        var error = await RegistryClient.ReadErrorAsync(response);
        Assert.NotNull(error);
        Assert.Equal("UNAUTHORIZED", error!.Code);
    }

    [Fact]
    public async Task TokenEndpointRejectsWrongPassword()
    {
        using var wrong = new RegistryClient(fixture.Server.BaseUrl, _registry.Username, _registry.Password + "x");
        using var response = await wrong.RequestTokenAsync($"repository:{Repo("app")}:pull");
        await OciAssert.StatusAsync(response, HttpStatusCode.Unauthorized);

        using var basic = new RegistryClient(fixture.Server.BaseUrl, _registry.Username, _registry.Password + "x", RegistryAuthMode.Basic);
        using var v2 = await basic.GetAsync("v2/");
        await OciAssert.StatusAsync(v2, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenResponseHasTheDocumentedFields()
    {
        using var response = await _client.RequestTokenAsync($"repository:{Repo("app")}:pull,push");
        await OciAssert.StatusAsync(response, HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("token").GetString()));
        Assert.Equal(root.GetProperty("token").GetString(), root.GetProperty("access_token").GetString());
        Assert.True(root.GetProperty("expires_in").GetInt32() > 0);
        Assert.True(root.TryGetProperty("issued_at", out _));
    }

    [Fact]
    public async Task OAuth2PasswordGrantIssuesAToken()
    {
        var scoped = Repo("oauth/app");
        var outside = Repo("oauth/other");
        var outsideImage = await ImageContent.PushSmallImageAsync(_client, outside, "v1");

        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = _registry.Username,
            ["password"] = _registry.Password,
            ["service"] = "berth",
            ["scope"] = $"repository:{scoped}:pull,push",
            ["client_id"] = "berth-tests",
        });
        using var response = await _client.Http.PostAsync("auth/token", form);
        await OciAssert.StatusAsync(response, HttpStatusCode.OK, fixture.ServerLog);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        // The OAuth2 fields containerd reads, and Docker's: the same token under both names, the default 5 min lifetime,
        // what was granted, and no refresh token unless access_type=offline asked for one.
        string token;
        using (var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            var root = document.RootElement;
            token = root.GetProperty("access_token").GetString()!;
            Assert.False(string.IsNullOrEmpty(token));
            Assert.Equal(token, root.GetProperty("token").GetString());
            Assert.Equal(300, root.GetProperty("expires_in").GetInt32());
            var issuedAt = DateTimeOffset.Parse(root.GetProperty("issued_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(issuedAt, before, DateTimeOffset.UtcNow.AddSeconds(2));
            Assert.Equal($"repository:{scoped}:pull,push", root.GetProperty("scope").GetString());
            Assert.False(root.TryGetProperty("refresh_token", out _), "refresh_token without access_type=offline");
        }

        using (var claims = Jwt.Payload(token))
        {
            var root = claims.RootElement;
            Assert.Equal(_registry.Username, root.GetProperty("sub").GetString());
            Assert.Equal("berth", root.GetProperty("aud").GetString());
            Assert.Equal(300, root.GetProperty("exp").GetInt64() - root.GetProperty("iat").GetInt64());
            var grant = Assert.Single(root.GetProperty("access").EnumerateArray());
            Assert.Equal("repository", grant.GetProperty("type").GetString());
            Assert.Equal(scoped, grant.GetProperty("name").GetString());
            Assert.Equal(["pull", "push"], grant.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        }

        // It authorises a push and a pull of the scoped repository...
        var layer = ImageContent.RandomBlob(512);
        var config = ImageContent.Config(ImageContent.DigestOf(layer));
        foreach (var blob in new[] { layer, config })
        {
            using var post = await SendWithTokenAsync(HttpMethod.Post, $"v2/{scoped}/blobs/uploads/?digest={ImageContent.DigestOf(blob)}", token, RegistryClient.Octets(blob));
            await OciAssert.StatusAsync(post, HttpStatusCode.Created, fixture.ServerLog);
        }

        var manifest = ImageContent.Manifest((ImageContent.DigestOf(config), config.Length), (ImageContent.DigestOf(layer), layer.Length));
        var manifestContent = new ByteArrayContent(manifest);
        manifestContent.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        using (var put = await SendWithTokenAsync(HttpMethod.Put, $"v2/{scoped}/manifests/v1", token, manifestContent))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        }

        using (var get = await SendWithTokenAsync(HttpMethod.Get, $"v2/{scoped}/manifests/v1", token))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }

        using (var get = await SendWithTokenAsync(HttpMethod.Get, $"v2/{scoped}/blobs/{ImageContent.DigestOf(layer)}", token))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(layer, await get.Content.ReadAsByteArrayAsync());
        }

        using (var tags = await SendWithTokenAsync(HttpMethod.Get, $"v2/{scoped}/tags/list", token))
        {
            await OciAssert.StatusAsync(tags, HttpStatusCode.OK);
        }

        // ... and nothing outside it: another repository of the same registry, an action not asked for, the catalog.
        foreach (var (method, path, challengeScope) in new (HttpMethod, string, string)[]
        {
            (HttpMethod.Get, $"v2/{outside}/manifests/v1", $"repository:{outside}:pull"),
            (HttpMethod.Get, $"v2/{outside}/blobs/{outsideImage.LayerDigest}", $"repository:{outside}:pull"),
            (HttpMethod.Post, $"v2/{outside}/blobs/uploads/", $"repository:{outside}:pull,push"),
            (HttpMethod.Delete, $"v2/{scoped}/manifests/{ImageContent.DigestOf(manifest)}", $"repository:{scoped}:pull,delete"),
            (HttpMethod.Get, "v2/_catalog", "registry:catalog:*"),
        })
        {
            using var refused = await SendWithTokenAsync(method, path, token);
            await OciAssert.RefusedAsync(refused, "UNAUTHORIZED", $"{method} {path} outside the token's scope" + fixture.ServerLog);
            var challenge = OciAssert.Header(refused, "WWW-Authenticate");
            Assert.Contains($"scope=\"{challengeScope}\"", challenge, StringComparison.Ordinal);
            Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        }

        using var still = await _client.GetManifestAsync(scoped, ImageContent.DigestOf(manifest));
        await OciAssert.StatusAsync(still, HttpStatusCode.OK, "the refused DELETE must not have deleted anything");
    }

    private async Task<HttpResponseMessage> SendWithTokenAsync(HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(RegistryClient.ManifestAccept);
        return await _client.Http.SendAsync(request);
    }

    // ---- blob uploads --------------------------------------------------------------------------------------

    [Fact]
    public async Task MonolithicPostWithDigestCreatesTheBlob()
    {
        var name = Repo("mono/post");
        var blob = ImageContent.RandomBlob(3000);
        var digest = ImageContent.DigestOf(blob);
        using var response = await _client.PostBlobMonolithicAsync(name, blob, digest);
        await OciAssert.StatusAsync(response, HttpStatusCode.Created, fixture.ServerLog);
        Assert.Equal(digest, OciAssert.Header(response, "Docker-Content-Digest"));
        var location = OciAssert.Header(response, "Location");

        using var get = await _client.GetAsync(location);
        await OciAssert.StatusAsync(get, HttpStatusCode.OK);
        Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PostThenPutWithDigestCreatesTheBlob()
    {
        var name = Repo("mono/put");
        var blob = ImageContent.RandomBlob(5000);
        var digest = ImageContent.DigestOf(blob);
        using var post = await _client.SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/");
        await OciAssert.StatusAsync(post, HttpStatusCode.Accepted, fixture.ServerLog);
        var location = OciAssert.Header(post, "Location");

        using var put = await _client.PutUploadAsync(location, digest, blob);
        await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        Assert.Equal(digest, OciAssert.Header(put, "Docker-Content-Digest"));
        Assert.Contains($"/v2/{name}/blobs/{digest}", OciAssert.Header(put, "Location"), StringComparison.Ordinal);

        await AssertBlobAsync(name, digest, blob);
    }

    [Fact]
    public async Task ChunkedUploadReportsRangesAndCompletes()
    {
        var name = Repo("chunked/app");
        var blob = ImageContent.RandomBlob(3 * 4096 + 17);
        var digest = ImageContent.DigestOf(blob);
        var location = await _client.StartUploadAsync(name);

        long offset = 0;
        foreach (var size in new[] { 4096, 4096, 4096, 17 })
        {
            var chunk = blob.AsSpan((int)offset, size).ToArray();
            using var patch = await _client.PatchAsync(location, chunk, offset);
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, $"chunk at {offset}" + fixture.ServerLog);
            offset += size;
            Assert.Equal($"0-{offset - 1}", OciAssert.Header(patch, "Range"));
            location = OciAssert.Header(patch, "Location");
        }

        using var put = await _client.PutUploadAsync(location, digest);
        await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        Assert.Equal(digest, OciAssert.Header(put, "Docker-Content-Digest"));
        await AssertBlobAsync(name, digest, blob);
    }

    [Fact]
    public async Task OutOfOrderChunkIsRangeNotSatisfiable()
    {
        var name = Repo("chunked/order");
        var location = await _client.StartUploadAsync(name);
        var first = ImageContent.RandomBlob(1000);
        using (var patch = await _client.PatchAsync(location, first, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted);
            location = OciAssert.Header(patch, "Location");
        }

        // Past the end, overlapping, and starting over: each one 416 with the spec's error body, and the answer says
        // where the upload stands so the client can resume from it.
        foreach (var start in new[] { 1100, 500, 0 })
        {
            using var response = await _client.PatchAsync(location, ImageContent.RandomBlob(100), start);
            await OciAssert.ErrorAsync(response, HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", $"chunk at {start}" + fixture.ServerLog);
            Assert.Equal("0-999", OciAssert.Header(response, "Range"));
            Assert.Contains($"/v2/{name}/blobs/uploads/", OciAssert.Header(response, "Location"), StringComparison.Ordinal);
        }

        // The session is still where it was.
        using var status = await _client.GetAsync(location);
        await OciAssert.StatusAsync(status, HttpStatusCode.NoContent);
        Assert.Equal("0-999", OciAssert.Header(status, "Range"));

        // ... and continues from there.
        var rest = ImageContent.RandomBlob(24);
        using (var next = await _client.PatchAsync(location, rest, 1000))
        {
            await OciAssert.StatusAsync(next, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        var digest = ImageContent.DigestOf([.. first, .. rest]);
        using (var put = await _client.PutUploadAsync(location, digest))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        }

        await AssertBlobAsync(name, digest, [.. first, .. rest]);
    }

    [Fact]
    public async Task StreamedPatchWithoutContentRange()
    {
        var name = Repo("streamed/app");
        var blob = ImageContent.RandomBlob(200_000);
        var digest = ImageContent.DigestOf(blob);
        var location = await _client.StartUploadAsync(name);

        // Unknown length: HttpClient sends Transfer-Encoding: chunked.
        using var stream = new NonSeekableStream(new MemoryStream(blob));
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var patch = await _client.SendAsync(HttpMethod.Patch, location, content);
        await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, fixture.ServerLog);
        Assert.Equal($"0-{blob.Length - 1}", OciAssert.Header(patch, "Range"));
        location = OciAssert.Header(patch, "Location");

        using var put = await _client.PutUploadAsync(location, digest);
        await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        await AssertBlobAsync(name, digest, blob);
    }

    [Fact]
    public async Task UploadStatusAndCancel()
    {
        var name = Repo("status/app");
        var location = await _client.StartUploadAsync(name);
        var chunk = ImageContent.RandomBlob(512);
        using (var patch = await _client.PatchAsync(location, chunk, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted);
            location = OciAssert.Header(patch, "Location");
        }

        using (var status = await _client.GetAsync(location))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, fixture.ServerLog);
            Assert.Equal("0-511", OciAssert.Header(status, "Range"));
            Assert.NotNull(RegistryClient.Location(status));
        }

        using (var delete = await _client.DeleteAsync(location))
        {
            await OciAssert.StatusAsync(delete, HttpStatusCode.NoContent, fixture.ServerLog);
        }

        using (var gone = await _client.GetAsync(location))
        {
            await OciAssert.ErrorAsync(gone, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        }

        using (var patchGone = await _client.PatchAsync(location, chunk, 512))
        {
            await OciAssert.ErrorAsync(patchGone, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        }
    }

    [Fact]
    public async Task UnknownUploadSessionIsBlobUploadUnknown()
    {
        var name = Repo("status/none");
        using var response = await _client.GetAsync($"v2/{name}/blobs/uploads/{Guid.NewGuid()}");
        await OciAssert.ErrorAsync(response, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task WrongDigestOnPutIsDigestInvalidAndStoresNothing()
    {
        var name = Repo("digest/wrong");
        var blob = ImageContent.RandomBlob(2048);
        var claimed = ImageContent.DigestOf(ImageContent.RandomBlob(10));
        var location = await _client.StartUploadAsync(name);

        using (var put = await _client.PutUploadAsync(location, claimed, blob))
        {
            await OciAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID", fixture.ServerLog);
        }

        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{claimed}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, "the claimed digest must not exist");
        }

        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{ImageContent.DigestOf(blob)}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, "the content must not be stored under its real digest either");
        }

        using (var monolithic = await _client.PostBlobMonolithicAsync(name, blob, claimed))
        {
            await OciAssert.ErrorAsync(monolithic, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        }
    }

    [Fact]
    public async Task Sha512BlobIsAccepted()
    {
        var name = Repo("sha512/app");
        var blob = ImageContent.RandomBlob(4000);
        var digest = ImageContent.DigestOf(blob, Digest.Sha512);
        using var response = await _client.PostBlobMonolithicAsync(name, blob, digest);
        await OciAssert.StatusAsync(response, HttpStatusCode.Created, fixture.ServerLog);
        Assert.Equal(digest, OciAssert.Header(response, "Docker-Content-Digest"));
        await AssertBlobAsync(name, digest, blob);
    }

    // ---- blob reads ----------------------------------------------------------------------------------------

    [Fact]
    public async Task BlobHeadGetAndRanges()
    {
        var name = Repo("blobs/read");
        var blob = ImageContent.RandomBlob(1000);
        var digest = await _client.PushBlobAsync(name, blob);

        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.OK);
            Assert.Equal(1000, head.Content.Headers.ContentLength);
            Assert.Equal(digest, OciAssert.Header(head, "Docker-Content-Digest"));
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using (var range = await _client.GetAsync($"v2/{name}/blobs/{digest}", ("Range", "bytes=10-19")))
        {
            await OciAssert.StatusAsync(range, HttpStatusCode.PartialContent, fixture.ServerLog);
            Assert.Equal("bytes 10-19/1000", OciAssert.Header(range, "Content-Range"));
            Assert.Equal(blob.AsSpan(10, 10).ToArray(), await range.Content.ReadAsByteArrayAsync());
        }

        using (var tail = await _client.GetAsync($"v2/{name}/blobs/{digest}", ("Range", "bytes=990-")))
        {
            await OciAssert.StatusAsync(tail, HttpStatusCode.PartialContent);
            Assert.Equal(blob.AsSpan(990).ToArray(), await tail.Content.ReadAsByteArrayAsync());
        }

        using (var unsatisfiable = await _client.GetAsync($"v2/{name}/blobs/{digest}", ("Range", "bytes=2000-2010")))
        {
            await OciAssert.StatusAsync(unsatisfiable, HttpStatusCode.RequestedRangeNotSatisfiable);
        }
    }

    [Fact]
    public async Task BlobDelete()
    {
        var name = Repo("blobs/delete");
        var digest = await _client.PushBlobAsync(name, ImageContent.RandomBlob(300));
        using (var delete = await _client.DeleteAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(delete, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound);
        }

        using (var get = await _client.GetAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        }
    }

    [Fact]
    public async Task CrossRepositoryMountWithinTheRegistry()
    {
        var from = Repo("mount/source");
        var to = Repo("mount/target");
        var blob = ImageContent.RandomBlob(777);
        var digest = await _client.PushBlobAsync(from, blob);

        using (var mount = await _client.SendAsync(HttpMethod.Post, $"v2/{to}/blobs/uploads/?mount={digest}&from={from}"))
        {
            await OciAssert.StatusAsync(mount, HttpStatusCode.Created, fixture.ServerLog);
            Assert.Equal(digest, OciAssert.Header(mount, "Docker-Content-Digest"));
            Assert.Contains($"/v2/{to}/blobs/{digest}", OciAssert.Header(mount, "Location"), StringComparison.Ordinal);
        }

        await AssertBlobAsync(to, digest, blob);

        // Mounting a blob the source does not have falls back to a plain upload session.
        var missing = ImageContent.DigestOf(ImageContent.RandomBlob(5));
        using var fallback = await _client.SendAsync(HttpMethod.Post, $"v2/{to}/blobs/uploads/?mount={missing}&from={from}");
        await OciAssert.StatusAsync(fallback, HttpStatusCode.Accepted);
        using var cancel = await _client.DeleteAsync(OciAssert.Header(fallback, "Location"));
    }

    [Fact]
    public async Task UnknownAndInvalidBlobs()
    {
        var name = Repo("blobs/unknown");
        var unknown = ImageContent.DigestOf(ImageContent.RandomBlob(8));
        using (var get = await _client.GetAsync($"v2/{name}/blobs/{unknown}"))
        {
            await OciAssert.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        }

        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{unknown}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound);
        }

        foreach (var invalid in new[] { "sha256:abc", "sha256:" + new string('Z', 64), "md5:0123456789abcdef0123456789abcdef" })
        {
            using var response = await _client.GetAsync($"v2/{name}/blobs/{invalid}");
            await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "DIGEST_INVALID", invalid);
        }
    }

    [Fact]
    public async Task InvalidRepositoryNameIsNameInvalid()
    {
        using var basic = fixture.Client(_registry, RegistryAuthMode.Basic);
        using (var manifest = await basic.GetManifestAsync(Repo("UpperCase"), "latest"))
        {
            await OciAssert.ErrorAsync(manifest, HttpStatusCode.BadRequest, "NAME_INVALID", fixture.ServerLog);
        }

        using (var upload = await basic.SendAsync(HttpMethod.Post, $"v2/{Repo("bad..name")}/blobs/uploads/"))
        {
            await OciAssert.ErrorAsync(upload, HttpStatusCode.BadRequest, "NAME_INVALID");
        }
    }

    // ---- manifests -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ManifestPutByTagAndDigestThenGetAndHead()
    {
        var name = Repo("manifests/app");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");

        using (var byDigest = await _client.PutManifestAsync(name, image.Digest, image.Manifest))
        {
            await OciAssert.StatusAsync(byDigest, HttpStatusCode.Created, fixture.ServerLog);
            Assert.Equal(image.Digest, OciAssert.Header(byDigest, "Docker-Content-Digest"));
            Assert.Contains($"/v2/{name}/manifests/", OciAssert.Header(byDigest, "Location"), StringComparison.Ordinal);
        }

        using (var retag = await _client.PutManifestAsync(name, "v2", image.Manifest))
        {
            await OciAssert.StatusAsync(retag, HttpStatusCode.Created);
            Assert.Equal(image.Digest, OciAssert.Header(retag, "Docker-Content-Digest"));
        }

        foreach (var reference in new[] { "v1", "v2", image.Digest })
        {
            using var get = await _client.GetManifestAsync(name, reference);
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(MediaTypes.OciManifest, get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(image.Digest, OciAssert.Header(get, "Docker-Content-Digest"));
            Assert.Equal(image.Manifest.Length, get.Content.Headers.ContentLength);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());

            using var head = await _client.HeadManifestAsync(name, reference);
            await OciAssert.StatusAsync(head, HttpStatusCode.OK);
            Assert.Equal(MediaTypes.OciManifest, head.Content.Headers.ContentType?.MediaType);
            Assert.Equal(image.Digest, OciAssert.Header(head, "Docker-Content-Digest"));
            Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task PutManifestByMismatchedDigestIsRejected()
    {
        var name = Repo("manifests/mismatch");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        var wrong = ImageContent.DigestOf(ImageContent.RandomBlob(4));
        using var response = await _client.PutManifestAsync(name, wrong, image.Manifest);
        await OciAssert.StatusAsync(response, HttpStatusCode.BadRequest);
        var error = await RegistryClient.ReadErrorAsync(response);
        Assert.Contains(error?.Code, new[] { "DIGEST_INVALID", "MANIFEST_INVALID" });
    }

    [Fact]
    public async Task ManifestReferencingMissingBlobIsManifestBlobUnknown()
    {
        var name = Repo("manifests/missing");
        var config = ImageContent.Config("sha256:" + new string('0', 64));
        var configDigest = await _client.PushBlobAsync(name, config);
        var missingLayer = ImageContent.DigestOf(ImageContent.RandomBlob(64));
        var manifest = ImageContent.Manifest((configDigest, config.Length), (missingLayer, 64));
        using (var response = await _client.PutManifestAsync(name, "v1", manifest))
        {
            await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN", fixture.ServerLog);
        }

        var missingConfig = ImageContent.Manifest((ImageContent.DigestOf(ImageContent.RandomBlob(9)), 9));
        using (var response = await _client.PutManifestAsync(name, "v2", missingConfig))
        {
            await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        }

        using var get = await _client.GetManifestAsync(name, "v1");
        await OciAssert.ErrorAsync(get, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task InvalidManifestJsonIsManifestInvalid()
    {
        var name = Repo("manifests/invalid");
        using (var response = await _client.PutManifestAsync(name, "v1", "{not json"u8.ToArray()))
        {
            await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_INVALID", fixture.ServerLog);
        }

        var wrongSchema = Encoding.UTF8.GetBytes("{\"schemaVersion\":3,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"layers\":[]}");
        using (var response = await _client.PutManifestAsync(name, "v1", wrongSchema))
        {
            await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        }
    }

    [Fact]
    public async Task ManifestOverFourMebibytesIsTooLarge()
    {
        var name = Repo("manifests/large");
        var padding = new string('a', 4 * 1024 * 1024 + 16);
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest
            + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OciEmpty + "\",\"digest\":\"" + ImageContent.EmptyJsonDigest
            + "\",\"size\":2},\"layers\":[],\"annotations\":{\"pad\":\"" + padding + "\"}}");
        HttpResponseMessage response;
        try
        {
            response = await _client.PutManifestAsync(name, "big", manifest);
        }
        catch (HttpRequestException e)
        {
            // A server may answer 413 and close the connection before the client finished sending.
            Assert.Fail("the server reset the connection instead of answering 413: " + e.Message);
            return;
        }

        using (response)
        {
            var error = await OciAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "SIZE_INVALID", fixture.ServerLog);
            Assert.Contains(ManifestValidator.MaxManifestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }

        // Nothing was stored: the refused push did not even create the repository.
        using var get = await _client.GetManifestAsync(name, "big");
        await OciAssert.ErrorAsync(get, HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }

    [Fact]
    public async Task IndexReferencingMissingManifestIsManifestBlobUnknown()
    {
        var name = Repo("manifests/index");
        var child = await ImageContent.PushSmallImageAsync(_client, name, "child");
        var good = ImageContent.Index(child.Descriptor);
        using (var ok = await _client.PutManifestAsync(name, "multi", good, MediaTypes.OciIndex))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.Created, fixture.ServerLog);
        }

        using (var get = await _client.GetManifestAsync(name, "multi"))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(MediaTypes.OciIndex, get.Content.Headers.ContentType?.MediaType);
        }

        var bad = ImageContent.Index(child.Descriptor, (ImageContent.DigestOf(ImageContent.RandomBlob(7)), 500));
        using var response = await _client.PutManifestAsync(name, "broken", bad, MediaTypes.OciIndex);
        await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [Fact]
    public async Task UnknownManifestIsManifestUnknown()
    {
        var name = Repo("manifests/unknown");
        await ImageContent.PushSmallImageAsync(_client, name, "exists");
        using (var byTag = await _client.GetManifestAsync(name, "nope"))
        {
            await OciAssert.ErrorAsync(byTag, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var byDigest = await _client.GetManifestAsync(name, ImageContent.DigestOf(ImageContent.RandomBlob(3))))
        {
            await OciAssert.ErrorAsync(byDigest, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var head = await _client.HeadManifestAsync(name, "nope"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound);
        }

        using var unknownRepo = await _client.GetManifestAsync(Repo("never/pushed"), "latest");
        Assert.Equal(HttpStatusCode.NotFound, unknownRepo.StatusCode);
        Assert.Contains((await RegistryClient.ReadErrorAsync(unknownRepo))?.Code, new[] { "MANIFEST_UNKNOWN", "NAME_UNKNOWN" });
    }

    [Fact]
    public async Task DeleteManifestByDigest()
    {
        var name = Repo("manifests/deldigest");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        using (var delete = await _client.DeleteAsync($"v2/{name}/manifests/{image.Digest}"))
        {
            await OciAssert.StatusAsync(delete, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        using (var byDigest = await _client.GetManifestAsync(name, image.Digest))
        {
            await OciAssert.ErrorAsync(byDigest, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var byTag = await _client.GetManifestAsync(name, "v1"))
        {
            await OciAssert.ErrorAsync(byTag, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var again = await _client.DeleteAsync($"v2/{name}/manifests/{image.Digest}"))
        {
            await OciAssert.ErrorAsync(again, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }
    }

    [Fact]
    public async Task DeleteByTagKeepsTheManifest()
    {
        var name = Repo("manifests/deltag");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        await _client.PushManifestAsync(name, "v2", image.Manifest);
        using (var delete = await _client.DeleteAsync($"v2/{name}/manifests/v1"))
        {
            await OciAssert.StatusAsync(delete, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        using (var byTag = await _client.GetManifestAsync(name, "v1"))
        {
            await OciAssert.ErrorAsync(byTag, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var byDigest = await _client.GetManifestAsync(name, image.Digest))
        {
            await OciAssert.StatusAsync(byDigest, HttpStatusCode.OK);
        }

        using var other = await _client.GetManifestAsync(name, "v2");
        await OciAssert.StatusAsync(other, HttpStatusCode.OK);
        Assert.Equal(["v2"], await AllTagsAsync(name));
    }

    // ---- listings ------------------------------------------------------------------------------------------

    [Fact]
    public async Task TagsListPagination()
    {
        var name = Repo("tags/paged");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "t3");
        foreach (var tag in new[] { "t1", "t5", "t2", "t4" })
        {
            await _client.PushManifestAsync(name, tag, image.Manifest);
        }

        using (var all = await _client.GetAsync($"v2/{name}/tags/list"))
        {
            await OciAssert.StatusAsync(all, HttpStatusCode.OK);
            using var document = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
            Assert.Equal(name, document.RootElement.GetProperty("name").GetString());
            Assert.Equal(["t1", "t2", "t3", "t4", "t5"], document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        var pages = new List<List<string>>();
        var next = $"v2/{name}/tags/list?n=2";
        while (next is not null && pages.Count < 10)
        {
            using var page = await _client.GetAsync(next);
            await OciAssert.StatusAsync(page, HttpStatusCode.OK, fixture.ServerLog);
            using var document = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
            var tags = document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
            Assert.True(tags.Count <= 2, $"page of {tags.Count} tags with n=2");
            next = RegistryClient.NextLink(page);
            if (next is not null)
            {
                Assert.Contains("n=2", next, StringComparison.Ordinal);
                Assert.Contains("last=" + tags[^1], next, StringComparison.Ordinal);
            }

            if (tags.Count > 0)
            {
                pages.Add(tags);
            }
        }

        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], pages.SelectMany(p => p));
        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));

        using var after = await _client.GetAsync($"v2/{name}/tags/list?n=2&last=t2");
        using var afterDocument = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal(["t3", "t4"], afterDocument.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task CatalogPagination()
    {
        var registry = await fixture.NewRegistryAsync("cat");
        using var client = fixture.Client(registry);
        var names = new[] { "alpha", "beta/one", "gamma" };
        foreach (var repo in names)
        {
            await ImageContent.PushSmallImageAsync(client, registry.Repo(repo), "v1", 64);
        }

        var seen = new List<string>();
        var next = "v2/_catalog?n=2";
        var pages = 0;
        while (next is not null && pages++ < 10)
        {
            using var page = await client.GetAsync(next);
            await OciAssert.StatusAsync(page, HttpStatusCode.OK, fixture.ServerLog);
            using var document = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
            var repositories = document.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).ToList();
            Assert.True(repositories.Count <= 2);
            seen.AddRange(repositories);
            next = RegistryClient.NextLink(page);
        }

        // Catalog entries are full /v2 names (registry/repository); a bare repository name is tolerated.
        Assert.Equal(names, seen.Select(r => r.StartsWith(registry.Name + "/", StringComparison.Ordinal) ? r[(registry.Name.Length + 1)..] : r));
    }

    // ---- referrers -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ReferrersApi()
    {
        var name = Repo("referrers/app");
        var subject = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        await _client.PushBlobAsync(name, ImageContent.EmptyJson);

        var sbom = ImageContent.Artifact("application/vnd.example.sbom.v1+json", subject.Descriptor, "sbom");
        var signature = ImageContent.Artifact("application/vnd.example.signature.v1", subject.Descriptor, "sig");
        string sbomDigest, signatureDigest;
        using (var put = await _client.PutManifestAsync(name, ImageContent.DigestOf(sbom), sbom))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
            Assert.Equal(subject.Digest, OciAssert.Header(put, "OCI-Subject"));
            sbomDigest = OciAssert.Header(put, "Docker-Content-Digest");
        }

        using (var put = await _client.PutManifestAsync(name, ImageContent.DigestOf(signature), signature))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created);
            signatureDigest = OciAssert.Header(put, "Docker-Content-Digest");
        }

        using (var all = await _client.GetAsync($"v2/{name}/referrers/{subject.Digest}"))
        {
            await OciAssert.StatusAsync(all, HttpStatusCode.OK, fixture.ServerLog);
            Assert.Equal(MediaTypes.OciIndex, all.Content.Headers.ContentType?.MediaType);
            using var document = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
            Assert.Equal(2, document.RootElement.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(MediaTypes.OciIndex, document.RootElement.GetProperty("mediaType").GetString());
            var manifests = document.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(2, manifests.Count);
            var entry = Assert.Single(manifests, m => m.GetProperty("digest").GetString() == sbomDigest);
            Assert.Equal("application/vnd.example.sbom.v1+json", entry.GetProperty("artifactType").GetString());
            Assert.Equal(MediaTypes.OciManifest, entry.GetProperty("mediaType").GetString());
            Assert.Equal(sbom.Length, entry.GetProperty("size").GetInt64());
            Assert.Equal("sbom", entry.GetProperty("annotations").GetProperty("org.example.note").GetString());
            Assert.Contains(manifests, m => m.GetProperty("digest").GetString() == signatureDigest);
        }

        using (var filtered = await _client.GetAsync(
            $"v2/{name}/referrers/{subject.Digest}?artifactType={Uri.EscapeDataString("application/vnd.example.sbom.v1+json")}"))
        {
            await OciAssert.StatusAsync(filtered, HttpStatusCode.OK);
            Assert.Equal("artifactType", OciAssert.Header(filtered, "OCI-Filters-Applied"));
            using var document = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
            var only = Assert.Single(document.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(sbomDigest, only.GetProperty("digest").GetString());
        }

        using (var none = await _client.GetAsync($"v2/{name}/referrers/{ImageContent.DigestOf(ImageContent.RandomBlob(16))}"))
        {
            await OciAssert.StatusAsync(none, HttpStatusCode.OK);
            Assert.Equal(MediaTypes.OciIndex, none.Content.Headers.ContentType?.MediaType);
            using var document = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
            Assert.Equal(0, document.RootElement.GetProperty("manifests").GetArrayLength());
        }

        // Deleting a referrer removes it from the list.
        using (var delete = await _client.DeleteAsync($"v2/{name}/manifests/{signatureDigest}"))
        {
            await OciAssert.StatusAsync(delete, HttpStatusCode.Accepted);
        }

        using var after = await _client.GetAsync($"v2/{name}/referrers/{subject.Digest}");
        using var afterDocument = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal(sbomDigest, Assert.Single(afterDocument.RootElement.GetProperty("manifests").EnumerateArray()).GetProperty("digest").GetString());
    }

    [Fact]
    public async Task ReferrersWithInvalidDigestIsBadRequest()
    {
        using var response = await _client.GetAsync($"v2/{Repo("referrers/bad")}/referrers/sha256:nothex");
        await OciAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private async Task AssertBlobAsync(string name, string digest, byte[] expected)
    {
        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.OK, fixture.ServerLog);
            Assert.Equal(expected.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest, OciAssert.Header(head, "Docker-Content-Digest"));
        }

        using var get = await _client.GetAsync($"v2/{name}/blobs/{digest}");
        await OciAssert.StatusAsync(get, HttpStatusCode.OK);
        Assert.Equal(digest, OciAssert.Header(get, "Docker-Content-Digest"));
        var actual = await get.Content.ReadAsByteArrayAsync();
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"blob {digest}: content differs ({actual.Length} bytes read)");
    }

    private async Task<List<string>> AllTagsAsync(string name)
    {
        using var response = await _client.GetAsync($"v2/{name}/tags/list");
        await OciAssert.StatusAsync(response, HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    /// <summary>Hides the length of a stream so HttpClient streams it with chunked transfer encoding.</summary>
    private sealed class NonSeekableStream(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
