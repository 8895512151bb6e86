using System.Net;
using System.Net.Http.Headers;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>A server whose bearer tokens live 30 s, the shortest lifetime the options allow.</summary>
public sealed class ShortTokenBerthFixture : ConfiguredBerthFixture
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(30);

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Auth__TokenLifetime"] = "00:00:30",
    };
}

/// <summary>
/// Long pushes must not die because a short token expired: an upload session authorised while a token was valid stays
/// usable with that token after it expires. The expired token is good for nothing else — no other request, no new
/// session, no session of another repository, and no session started after it expired.
/// </summary>
public sealed class UploadTokenExpiryTests(ShortTokenBerthFixture fixture) : IClassFixture<ShortTokenBerthFixture>, IDisposable
{
    private readonly RegistryClient _raw = new(fixture.Server.BaseUrl, null, null, RegistryAuthMode.None);

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task AnUploadSessionOutlivesItsToken()
    {
        var registry = await fixture.NewRegistryAsync("exp");
        var app = registry.Repo("long/app");
        var other = registry.Repo("long/other");
        using var basic = fixture.Client(registry, RegistryAuthMode.Basic);
        var image = await ImageContent.PushSmallImageAsync(basic, app, "v1");

        using var tokens = fixture.Client(registry);
        var token = await tokens.GetTokenAsync($"repository:{app}:pull,push");
        var issuedAt = DateTimeOffset.UtcNow;
        var expires = Jwt.Expires(token);
        Assert.InRange(expires - issuedAt, ShortTokenBerthFixture.TokenLifetime - TimeSpan.FromSeconds(2), ShortTokenBerthFixture.TokenLifetime);

        // While the token is valid: a session of app is started with it and gets a first chunk; another is started
        // with it to be cancelled later; one of `other` is started with the registry's own credentials.
        var blob = ImageContent.RandomBlob(3 * 1000);
        string session;
        using (var post = await SendAsync(HttpMethod.Post, $"v2/{app}/blobs/uploads/", token))
        {
            await OciAssert.StatusAsync(post, HttpStatusCode.Accepted, fixture.ServerLog);
            session = OciAssert.Header(post, "Location");
        }

        session = await PatchAsync(session, blob, 0, token);
        string toCancel;
        using (var post = await SendAsync(HttpMethod.Post, $"v2/{app}/blobs/uploads/", token))
        {
            await OciAssert.StatusAsync(post, HttpStatusCode.Accepted);
            toCancel = OciAssert.Header(post, "Location");
        }

        var otherSession = await basic.StartUploadAsync(other);

        // Wait (bounded) until the server considers the token expired: its exp is whole seconds, compared with <=.
        var wait = expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
        Assert.True(wait < TimeSpan.FromSeconds(35), $"token expires in {wait}");
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        // Expired, it is refused everywhere but its upload sessions: 401 with a challenge, so a client fetches a new one.
        foreach (var (method, path) in new (HttpMethod, string)[]
        {
            (HttpMethod.Get, "v2/"),
            (HttpMethod.Get, $"v2/{app}/manifests/v1"),
            (HttpMethod.Head, $"v2/{app}/manifests/v1"),
            (HttpMethod.Get, $"v2/{app}/blobs/{image.LayerDigest}"),
            (HttpMethod.Get, $"v2/{app}/tags/list"),
            (HttpMethod.Put, $"v2/{app}/manifests/v2"),
            (HttpMethod.Post, $"v2/{app}/blobs/uploads/"),
            (HttpMethod.Post, $"v2/{app}/blobs/uploads/?digest={ImageContent.DigestOf(blob)}"),
            (HttpMethod.Post, $"v2/{app}/blobs/uploads/?mount={image.LayerDigest}&from={app}"),
        })
        {
            var body = method == HttpMethod.Put ? image.Manifest : method == HttpMethod.Post ? blob : null;
            using var response = await SendAsync(method, path, token, body);
            await OciAssert.RefusedAsync(response, "UNAUTHORIZED", $"{method} {path} with the expired token" + fixture.ServerLog);
        }

        // ... but the session it was used for continues: status, more chunks, and the closing PUT with the last one.
        using (var status = await SendAsync(HttpMethod.Get, session, token))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, "upload status with the expired token" + fixture.ServerLog);
            Assert.Equal("0-999", OciAssert.Header(status, "Range"));
        }

        session = await PatchAsync(session, blob, 1000, token);
        var digest = ImageContent.DigestOf(blob);
        using (var put = await SendAsync(HttpMethod.Put, RegistryClient.WithQuery(session, "digest=" + digest), token, blob[2000..]))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, "closing PUT with the expired token" + fixture.ServerLog);
            Assert.Equal(digest, OciAssert.Header(put, "Docker-Content-Digest"));
        }

        using (var get = await basic.GetAsync($"v2/{app}/blobs/{digest}"))
        {
            await OciAssert.StatusAsync(get, HttpStatusCode.OK);
            Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
        }

        using (var cancel = await SendAsync(HttpMethod.Delete, toCancel, token))
        {
            await OciAssert.StatusAsync(cancel, HttpStatusCode.NoContent, "cancelling its session with the expired token");
        }

        // A session of another repository: the token has no scope there, and the session id doesn't move it into app.
        using (var patch = await SendAsync(HttpMethod.Patch, otherSession, token, [1, 2, 3], "0-2"))
        {
            await OciAssert.RefusedAsync(patch, "UNAUTHORIZED", "PATCH of another repository's session" + fixture.ServerLog);
            Assert.Contains("error=\"insufficient_scope\"", OciAssert.Header(patch, "WWW-Authenticate"), StringComparison.Ordinal);
        }

        var underApp = $"v2/{app}/blobs/uploads/{otherSession[(otherSession.LastIndexOf('/') + 1)..]}";
        using (var patch = await SendAsync(HttpMethod.Patch, underApp, token, [1, 2, 3], "0-2"))
        {
            await OciAssert.ErrorAsync(patch, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN", "another repository's session addressed under app" + fixture.ServerLog);
        }

        // A session started (by someone else, with a fresh credential) after the token expired was never authorised by
        // it: the expired token can't write into it, nor close, read or cancel it.
        var later = await basic.StartUploadAsync(app);
        foreach (var (method, target, body, range) in new (HttpMethod, string, byte[]?, string?)[]
        {
            (HttpMethod.Patch, later, [1, 2, 3], "0-2"),
            (HttpMethod.Put, RegistryClient.WithQuery(later, "digest=" + ImageContent.DigestOf([1, 2, 3])), [1, 2, 3], null),
            (HttpMethod.Get, later, null, null),
            (HttpMethod.Delete, later, null, null),
        })
        {
            using var response = await SendAsync(method, target, token, body, range);
            await OciAssert.RefusedAsync(response, "UNAUTHORIZED", $"{method} of a session started after the token expired" + fixture.ServerLog);
        }

        using (var status = await basic.GetAsync(later))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, "the later session must be untouched");
            Assert.Equal("0-0", OciAssert.Header(status, "Range"));
        }

        using (var status = await basic.GetAsync(otherSession))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, "the other repository's session must be untouched");
            Assert.Equal("0-0", OciAssert.Header(status, "Range"));
        }

        var last = ImageContent.RandomBlob(10);
        using (var patch = await basic.PatchAsync(later, last, 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, "the later session takes its first chunk at 0");
        }

        using (var put = await basic.PutUploadAsync(later, ImageContent.DigestOf(last)))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created);
        }
    }

    private async Task<string> PatchAsync(string location, byte[] blob, int offset, string token)
    {
        using var patch = await SendAsync(HttpMethod.Patch, location, token, blob[offset..(offset + 1000)], $"{offset}-{offset + 999}");
        await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, $"PATCH at {offset}" + fixture.ServerLog);
        Assert.Equal($"0-{offset + 999}", OciAssert.Header(patch, "Range"));
        return OciAssert.Header(patch, "Location");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathOrUrl, string token, byte[]? body = null, string? contentRange = null)
    {
        using var request = new HttpRequestMessage(method, _raw.Resolve(pathOrUrl));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(RegistryClient.ManifestAccept);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(method == HttpMethod.Put && pathOrUrl.Contains("/manifests/", StringComparison.Ordinal)
                ? Berth.Core.Distribution.MediaTypes.OciManifest
                : "application/octet-stream");
            if (contentRange is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
            }
        }

        return await _raw.Http.SendAsync(request);
    }
}
