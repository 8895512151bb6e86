using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Two registries in two projects: B's credentials must not reach anything of A, whatever the endpoint, whether
/// used as HTTP Basic on /v2 or through a token requested for A's scope.
/// </summary>
public sealed class TenantIsolationTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private CreatedRegistry _a = null!;
    private CreatedRegistry _b = null!;
    private PushedImage _imageA = null!;
    private string _repoA = null!;

    public async Task InitializeAsync()
    {
        _a = await fixture.NewRegistryAsync("isoa");
        _b = await fixture.NewRegistryAsync("isob");
        _repoA = _a.Repo("secret/app");
        using var clientA = fixture.Client(_a);
        _imageA = await ImageContent.PushSmallImageAsync(clientA, _repoA, "v1");
        using var clientB = fixture.Client(_b);
        await ImageContent.PushSmallImageAsync(clientB, _b.Repo("own/app"), "v1");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<RegistryAuthMode> Modes => new() { RegistryAuthMode.Bearer, RegistryAuthMode.Basic };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadEndpointsOfAAreRefusedToB(RegistryAuthMode mode)
    {
        using var b = BClient(mode);
        var requests = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, $"v2/{_repoA}/manifests/v1"),
            (HttpMethod.Head, $"v2/{_repoA}/manifests/v1"),
            (HttpMethod.Get, $"v2/{_repoA}/manifests/{_imageA.Digest}"),
            (HttpMethod.Head, $"v2/{_repoA}/manifests/{_imageA.Digest}"),
            (HttpMethod.Get, $"v2/{_repoA}/blobs/{_imageA.LayerDigest}"),
            (HttpMethod.Head, $"v2/{_repoA}/blobs/{_imageA.LayerDigest}"),
            (HttpMethod.Get, $"v2/{_repoA}/blobs/{_imageA.ConfigDigest}"),
            (HttpMethod.Get, $"v2/{_repoA}/tags/list"),
            (HttpMethod.Get, $"v2/{_repoA}/referrers/{_imageA.Digest}"),
        };
        foreach (var (method, path) in requests)
        {
            using var response = await b.SendAsync(method, path);
            await OciAssert.RefusedAsync(response, "DENIED", $"({mode})" + fixture.ServerLog);
            if (method == HttpMethod.Get)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain(_imageA.LayerDigest, body, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task WriteEndpointsOfAAreRefusedToB(RegistryAuthMode mode)
    {
        using var b = BClient(mode);
        using var a = fixture.Client(_a);

        using (var post = await b.SendAsync(HttpMethod.Post, $"v2/{_repoA}/blobs/uploads/"))
        {
            await OciAssert.RefusedAsync(post, "DENIED", $"POST upload ({mode})");
        }

        var blob = ImageContent.RandomBlob(100);
        using (var monolithic = await b.PostBlobMonolithicAsync(_repoA, blob))
        {
            await OciAssert.RefusedAsync(monolithic, "DENIED", $"monolithic POST ({mode})");
        }

        using (var put = await b.PutManifestAsync(_repoA, "evil", _imageA.Manifest))
        {
            await OciAssert.RefusedAsync(put, "DENIED", $"PUT manifest ({mode})");
        }

        using (var deleteManifest = await b.DeleteAsync($"v2/{_repoA}/manifests/{_imageA.Digest}"))
        {
            await OciAssert.RefusedAsync(deleteManifest, "DENIED", $"DELETE manifest ({mode})");
        }

        using (var deleteTag = await b.DeleteAsync($"v2/{_repoA}/manifests/v1"))
        {
            await OciAssert.RefusedAsync(deleteTag, "DENIED", $"DELETE tag ({mode})");
        }

        using (var deleteBlob = await b.DeleteAsync($"v2/{_repoA}/blobs/{_imageA.LayerDigest}"))
        {
            await OciAssert.RefusedAsync(deleteBlob, "DENIED", $"DELETE blob ({mode})");
        }

        // A's upload session, addressed by B.
        var location = await a.StartUploadAsync(_repoA);
        var chunk = ImageContent.RandomBlob(64);
        using (var patch = await b.PatchAsync(location, chunk, 0))
        {
            await OciAssert.RefusedAsync(patch, "DENIED", $"PATCH A's session ({mode})");
        }

        using (var status = await b.GetAsync(location))
        {
            await OciAssert.RefusedAsync(status, "DENIED", $"GET A's session ({mode})");
        }

        using (var put = await b.PutUploadAsync(location, ImageContent.DigestOf(chunk), chunk))
        {
            await OciAssert.RefusedAsync(put, "DENIED", $"PUT A's session ({mode})");
        }

        using (var delete = await b.DeleteAsync(location))
        {
            await OciAssert.RefusedAsync(delete, "DENIED", $"DELETE A's session ({mode})");
        }

        // Nothing B did had an effect on A.
        using (var status = await a.GetAsync(location))
        {
            await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, "A's session must be intact" + fixture.ServerLog);
        }

        using (var manifest = await a.GetManifestAsync(_repoA, "v1"))
        {
            await OciAssert.StatusAsync(manifest, HttpStatusCode.OK);
        }

        using (var evil = await a.GetManifestAsync(_repoA, "evil"))
        {
            await OciAssert.StatusAsync(evil, HttpStatusCode.NotFound);
        }

        using (var layer = await a.HeadAsync($"v2/{_repoA}/blobs/{_imageA.LayerDigest}"))
        {
            await OciAssert.StatusAsync(layer, HttpStatusCode.OK);
        }

        using var cancel = await a.DeleteAsync(location);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CrossTenantMountDoesNotMount(RegistryAuthMode mode)
    {
        using var b = BClient(mode);
        var target = _b.Repo("stolen-" + mode.ToString().ToLowerInvariant());

        // The spec's answer to a mount the registry can't do: a plain upload session (202), nothing linked.
        using (var mount = await b.SendAsync(HttpMethod.Post, $"v2/{target}/blobs/uploads/?mount={_imageA.LayerDigest}&from={_repoA}"))
        {
            await OciAssert.StatusAsync(mount, HttpStatusCode.Accepted, $"cross-tenant mount ({mode})" + fixture.ServerLog);
            Assert.Null(RegistryClient.Header(mount, "Docker-Content-Digest"));
            var location = OciAssert.Header(mount, "Location");
            Assert.Contains($"/v2/{target}/blobs/uploads/", location, StringComparison.Ordinal);
            using var cancel = await b.DeleteAsync(location);
            await OciAssert.StatusAsync(cancel, HttpStatusCode.NoContent);
        }

        using var head = await b.HeadAsync($"v2/{target}/blobs/{_imageA.LayerDigest}");
        await OciAssert.StatusAsync(head, HttpStatusCode.NotFound, "B must not hold A's layer after a mount attempt");
    }

    [Fact]
    public async Task TokenForAScopeWithBCredentialsGrantsNothing()
    {
        using var b = BClient(RegistryAuthMode.Bearer);
        var scope = $"repository:{_repoA}:pull,push,delete";

        // B's credentials are valid, so B gets a token; it grants what was asked AND allowed: nothing on A.
        using var response = await b.RequestTokenAsync(scope);
        await OciAssert.StatusAsync(response, HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(document.RootElement.TryGetProperty("scope", out var granted), $"token response grants a scope: {granted}");
        var token = document.RootElement.GetProperty("token").GetString()!;
        using (var claims = Jwt.Payload(token))
        {
            Assert.Equal(_b.Name, claims.RootElement.GetProperty("sub").GetString());
            Assert.Equal(0, claims.RootElement.GetProperty("access").GetArrayLength());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{_repoA}/manifests/v1");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(RegistryClient.ManifestAccept);
        using var get = await b.Http.SendAsync(request);
        await OciAssert.RefusedAsync(get, "DENIED", "GET A's manifest with B's token for A's scope");
    }

    public static TheoryData<string> Unauthenticated => new() { "anonymous", "tampered-bearer" };

    /// <summary>Without valid credentials at all the answer is 401 UNAUTHORIZED with a challenge, never A's data.</summary>
    [Theory]
    [MemberData(nameof(Unauthenticated))]
    public async Task RequestsWithoutValidCredentialsAreUnauthorized(string kind)
    {
        using var client = new RegistryClient(fixture.Server.BaseUrl, null, null, RegistryAuthMode.None);
        using var a = fixture.Client(_a);
        var tampered = Jwt.Tamper(await a.GetTokenAsync($"repository:{_repoA}:pull"));
        var requests = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, $"v2/{_repoA}/manifests/v1"),
            (HttpMethod.Head, $"v2/{_repoA}/manifests/v1"),
            (HttpMethod.Get, $"v2/{_repoA}/blobs/{_imageA.LayerDigest}"),
            (HttpMethod.Head, $"v2/{_repoA}/blobs/{_imageA.LayerDigest}"),
            (HttpMethod.Get, $"v2/{_repoA}/tags/list"),
            (HttpMethod.Get, $"v2/{_repoA}/referrers/{_imageA.Digest}"),
            (HttpMethod.Post, $"v2/{_repoA}/blobs/uploads/"),
            (HttpMethod.Delete, $"v2/{_repoA}/manifests/{_imageA.Digest}"),
            (HttpMethod.Get, "v2/_catalog"),
        };
        foreach (var (method, path) in requests)
        {
            using var request = new HttpRequestMessage(method, path);
            if (kind == "tampered-bearer")
            {
                // A's own pull token with its grants widened: the signature no longer matches.
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tampered);
            }

            using var response = await client.Http.SendAsync(request);
            await OciAssert.RefusedAsync(response, "UNAUTHORIZED", $"{method} {path} ({kind})" + fixture.ServerLog);
            if (method != HttpMethod.Head)
            {
                Assert.DoesNotContain(_imageA.LayerDigest, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CatalogListsOnlyTheCallersRegistry(RegistryAuthMode mode)
    {
        using var b = BClient(mode);
        using var response = await b.GetAsync("v2/_catalog");
        await OciAssert.StatusAsync(response, HttpStatusCode.OK, fixture.ServerLog);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var repositories = document.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(repositories, r => r.EndsWith("own/app", StringComparison.Ordinal));
        Assert.DoesNotContain(repositories, r => r.Contains("secret", StringComparison.Ordinal) || r.Contains(_a.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminApiIsNotOpenToRegistryCredentials()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/registries/{_a.Name}");
        request.Headers.Authorization = ManagementClient.BasicAuth(_b.Username, _b.Password);
        using var response = await http.SendAsync(request);

        // A registry credential is no user of the management API: 401 as problem details, nothing of A.
        await OciAssert.StatusAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Basic ", OciAssert.Header(response, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.DoesNotContain(_a.Project, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private RegistryClient BClient(RegistryAuthMode mode) => fixture.Client(_b, mode);
}
