using System.Net;
using System.Net.Http.Headers;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Error paths of the OCI Distribution API over raw HTTP: the exact status and <c>errors[0].code</c> of each, and that a
/// refused request leaves the upload session where it was.
/// </summary>
public sealed class OciErrorTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private CreatedRegistry _registry = null!;
    private RegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _registry = await fixture.NewRegistryAsync("err");
        _client = fixture.Client(_registry);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    private string Repo(string name) => _registry.Repo(name);

    // ---- BLOB_UPLOAD_INVALID -------------------------------------------------------------------------------

    [Theory]
    [InlineData("abc")]
    [InlineData("100-50")]
    [InlineData("-99")]
    [InlineData("0-")]
    public async Task MalformedContentRangeIsBlobUploadInvalid(string contentRange)
    {
        var name = Repo("range/bad");
        var location = await _client.StartUploadAsync(name);
        var chunk = ImageContent.RandomBlob(100);
        using (var patch = await _client.SendAsync(HttpMethod.Patch, location, WithContentRange(chunk, contentRange)))
        {
            await OciAssert.ErrorAsync(patch, HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID", $"Content-Range: {contentRange}" + fixture.ServerLog);
        }

        // Nothing was written: the session still takes the chunk at 0 and completes.
        await AssertUploadHoldsAsync(location, 0);
        await CompleteAsync(name, location, chunk);
    }

    // ---- SIZE_INVALID --------------------------------------------------------------------------------------

    [Theory]
    [InlineData(50, "0-99")]
    [InlineData(150, "0-99")]
    public async Task ContentLengthDisagreeingWithContentRangeIsSizeInvalid(int bodyLength, string contentRange)
    {
        var name = Repo("size/patch");
        var location = await _client.StartUploadAsync(name);
        using (var patch = await _client.SendAsync(HttpMethod.Patch, location, WithContentRange(ImageContent.RandomBlob(bodyLength), contentRange)))
        {
            await OciAssert.ErrorAsync(patch, HttpStatusCode.BadRequest, "SIZE_INVALID", $"{bodyLength} bytes, Content-Range {contentRange}" + fixture.ServerLog);
        }

        await AssertUploadHoldsAsync(location, 0);
        await CompleteAsync(name, location, ImageContent.RandomBlob(100));
    }

    /// <summary>
    /// A streamed chunk (no Content-Length) whose body turns out shorter or longer than its Content-Range: refused once
    /// the body has been read, and none of its bytes may stay in the upload.
    /// </summary>
    [Theory]
    [InlineData(50)]
    [InlineData(150)]
    public async Task StreamedChunkOfTheWrongSizeIsSizeInvalidAndDiscarded(int bodyLength)
    {
        var name = Repo("size/streamed");
        var location = await _client.StartUploadAsync(name);
        var first = ImageContent.RandomBlob(100);
        using (var patch = await _client.PatchAsync(location, first, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted);
        }

        using (var content = new UnknownLengthContent(ImageContent.RandomBlob(bodyLength)))
        {
            content.Headers.TryAddWithoutValidation("Content-Range", "100-199");
            using var patch = await _client.SendAsync(HttpMethod.Patch, location, content);
            await OciAssert.ErrorAsync(patch, HttpStatusCode.BadRequest, "SIZE_INVALID", $"{bodyLength} bytes for 100-199" + fixture.ServerLog);
        }

        await AssertUploadHoldsAsync(location, 100);
        var second = ImageContent.RandomBlob(100);
        using (var patch = await _client.PatchAsync(location, second, 100))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, "the chunk must be accepted again after the refused one" + fixture.ServerLog);
        }

        using var put = await _client.PutUploadAsync(location, ImageContent.DigestOf([.. first, .. second]));
        await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
    }

    /// <summary>The closing PUT may carry the last chunk with a Content-Range; a body that doesn't fit it is SIZE_INVALID.</summary>
    [Fact]
    public async Task ClosingPutWhoseChunkDisagreesWithItsRangeIsSizeInvalid()
    {
        var name = Repo("size/put");
        var location = await _client.StartUploadAsync(name);
        var first = ImageContent.RandomBlob(64);
        using (var patch = await _client.PatchAsync(location, first, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted);
        }

        var last = ImageContent.RandomBlob(32);
        var digest = ImageContent.DigestOf([.. first, .. last]);
        using (var put = await _client.SendAsync(HttpMethod.Put, RegistryClient.WithQuery(location, "digest=" + digest), WithContentRange(last, "64-127")))
        {
            await OciAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "SIZE_INVALID", fixture.ServerLog);
        }

        // The refused PUT did not end the session, and did not store a blob.
        await AssertUploadHoldsAsync(location, 64);
        using (var head = await _client.HeadAsync($"v2/{name}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(head, HttpStatusCode.NotFound);
        }

        using (var put = await _client.SendAsync(HttpMethod.Put, RegistryClient.WithQuery(location, "digest=" + digest), WithContentRange(last, "64-95")))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        }
    }

    // ---- UNSUPPORTED ---------------------------------------------------------------------------------------

    [Fact]
    public async Task UnsupportedMethodsAre405UnsupportedWithAllow()
    {
        var name = Repo("methods/app");
        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        var location = await _client.StartUploadAsync(name);
        var cases = new (HttpMethod Method, string Path, string Allow)[]
        {
            (HttpMethod.Patch, $"v2/{name}/manifests/v1", "GET, HEAD, PUT, DELETE"),
            (HttpMethod.Post, $"v2/{name}/manifests/{image.Digest}", "GET, HEAD, PUT, DELETE"),
            (HttpMethod.Post, $"v2/{name}/blobs/{image.LayerDigest}", "GET, HEAD, DELETE"),
            (HttpMethod.Put, $"v2/{name}/blobs/{image.LayerDigest}", "GET, HEAD, DELETE"),
            (HttpMethod.Put, $"v2/{name}/blobs/uploads/", "POST"),
            (HttpMethod.Get, $"v2/{name}/blobs/uploads/", "POST"),
            (HttpMethod.Post, location, "GET, PATCH, PUT, DELETE"),
            (HttpMethod.Delete, $"v2/{name}/tags/list", "GET, HEAD"),
            (HttpMethod.Put, $"v2/{name}/referrers/{image.Digest}", "GET, HEAD"),
        };
        foreach (var (method, path, allow) in cases)
        {
            using var response = await _client.SendAsync(method, path, RegistryClient.Octets([]));
            await OciAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, "UNSUPPORTED", $"{method} {path}" + fixture.ServerLog);

            // RFC 9110 §15.5.6: a 405 MUST list the methods the resource supports.
            Assert.Equal(allow, RegistryClient.Header(response, "Allow"));
        }

        // None of them changed anything.
        using (var get = await _client.GetManifestAsync(name, "v1"))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
        }

        await AssertUploadHoldsAsync(location, 0);
    }

    /// <summary>
    /// A digest with an algorithm Berth can't verify (anything but sha256 and sha512) is a bad request, wherever it is
    /// given. The spec: "If the client provided digest is invalid or uses an unsupported algorithm, the registry SHOULD
    /// respond with a response code 400 Bad Request" — DIGEST_INVALID (code-4), as the CNCF registry answers too.
    /// </summary>
    [Fact]
    public async Task UnknownDigestAlgorithmIsDigestInvalid()
    {
        var name = Repo("algorithms/app");
        var blob = ImageContent.RandomBlob(256);
        var sha384 = "sha384:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA384.HashData(blob));
        var md5 = "md5:" + new string('0', 32);
        foreach (var digest in new[] { sha384, md5, "blake3:" + new string('a', 64) })
        {
            using (var get = await _client.GetAsync($"v2/{name}/blobs/{digest}"))
            {
                await OciAssert.ErrorAsync(get, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"GET blob {digest}" + fixture.ServerLog);
            }

            using (var monolithic = await _client.PostBlobMonolithicAsync(name, blob, digest))
            {
                await OciAssert.ErrorAsync(monolithic, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"POST ?digest={digest}");
            }

            using (var mount = await _client.SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/?mount={digest}&from={Repo("other")}"))
            {
                await OciAssert.ErrorAsync(mount, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"mount {digest}");
            }

            using (var manifest = await _client.GetManifestAsync(name, digest))
            {
                await OciAssert.ErrorAsync(manifest, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"GET manifest {digest}");
            }

            using (var referrers = await _client.GetAsync($"v2/{name}/referrers/{digest}"))
            {
                await OciAssert.ErrorAsync(referrers, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"referrers of {digest}");
            }

            var location = await _client.StartUploadAsync(name);
            using (var put = await _client.PutUploadAsync(location, digest, blob))
            {
                await OciAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID", $"PUT ?digest={digest}");
            }

            // The refused close kept the session (and took none of the body).
            await AssertUploadHoldsAsync(location, 0);
            using var cancel = await _client.DeleteAsync(location);
        }

        var image = await ImageContent.PushSmallImageAsync(_client, name, "v1");
        var manifestSha384 = "sha384:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA384.HashData(image.Manifest));
        using (var put = await _client.PutManifestAsync(name, manifestSha384, image.Manifest))
        {
            await OciAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID", "PUT manifest by sha384");
        }

        using var none = await _client.HeadAsync($"v2/{name}/blobs/{ImageContent.DigestOf(blob)}");
        await OciAssert.StatusAsync(none, HttpStatusCode.NotFound, "no refused upload may have stored the blob");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static ByteArrayContent WithContentRange(byte[] body, string contentRange)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        return content;
    }

    private async Task AssertUploadHoldsAsync(string location, long size)
    {
        using var status = await _client.GetAsync(location);
        await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, fixture.ServerLog);

        // ("0-0" for an empty session too: callers then show it's empty by a chunk at 0 being accepted.)
        Assert.Equal(ByteRange.UploadRangeHeader(size), OciAssert.Header(status, "Range"));
    }

    private async Task CompleteAsync(string name, string location, byte[] content)
    {
        using (var patch = await _client.PatchAsync(location, content, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, fixture.ServerLog);
        }

        var digest = ImageContent.DigestOf(content);
        using (var put = await _client.PutUploadAsync(location, digest))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
        }

        using var get = await _client.GetAsync($"v2/{name}/blobs/{digest}");
        await OciAssert.StatusAsync(get, HttpStatusCode.OK);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }
}
