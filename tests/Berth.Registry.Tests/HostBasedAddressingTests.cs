using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>A server that addresses registries by host: <c>&lt;registry&gt;.cr.test</c>.</summary>
public sealed class HostBasedBerthFixture : ConfiguredBerthFixture
{
    public const string Suffix = "cr.test";

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__DomainSuffix"] = Suffix,
    };
}

/// <summary>
/// Host-based endpoints (<c>Berth:DomainSuffix</c>): the registry is named by the Host header, repository names carry
/// no registry prefix, and token scopes name the bare repository. Sent to 127.0.0.1 with the Host header set, as a
/// client that resolves <c>*.cr.test</c> to this server would.
/// </summary>
public sealed class HostBasedAddressingTests(HostBasedBerthFixture fixture) : IClassFixture<HostBasedBerthFixture>
{
    [Fact]
    public async Task EndpointIsTheRegistryHost()
    {
        var registry = await fixture.NewRegistryAsync("hb");
        Assert.Equal($"{registry.Name}.{HostBasedBerthFixture.Suffix}", registry.Endpoint);
        Assert.Equal(registry.Endpoint, (await fixture.Admin.GetRegistryAsync(registry.Name)).Endpoint);
    }

    [Fact]
    public async Task PushAndPullThroughTheRegistryHostWithATokenScopedToTheBareRepository()
    {
        var registry = await fixture.NewRegistryAsync("hb");
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        var host = registry.Endpoint;

        using (var challenge = await SendAsync(http, HttpMethod.Get, host, "/v2/", auth: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
            Assert.Contains($"realm=\"http://{host}/auth/token\"", challenge.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        string token;
        using (var tokenResponse = await SendAsync(http, HttpMethod.Get, host, "/auth/token?service=berth&scope=repository:app:pull,push", Basic(registry.Username, registry.Password)))
        {
            Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
            using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            token = json.RootElement.GetProperty("token").GetString()!;
        }

        var bearer = new AuthenticationHeaderValue("Bearer", token);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
        using (var blob = await SendAsync(http, HttpMethod.Post, host, $"/v2/app/blobs/uploads/?digest={configDigest}", bearer, config))
        {
            Assert.Equal(HttpStatusCode.Created, blob.StatusCode);
            Assert.Equal($"/v2/app/blobs/{configDigest}", blob.Headers.Location?.OriginalString);
        }

        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},"layers":[]}""");
        using (var put = await SendAsync(http, HttpMethod.Put, host, "/v2/app/manifests/v1", bearer, manifest, "application/vnd.oci.image.manifest.v1+json"))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var get = await SendAsync(http, HttpMethod.Get, host, "/v2/app/manifests/v1", bearer))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }

        using (var catalog = await SendAsync(http, HttpMethod.Get, host, "/v2/_catalog", Basic(registry.Username, registry.Password)))
        {
            Assert.Equal("""{"repositories":["app"]}""", await catalog.Content.ReadAsStringAsync());
        }

        var tags = await fixture.Admin.ListTagsAsync(registry.Name, "app");
        Assert.Equal("v1", Assert.Single(tags).Name);
    }

    [Fact]
    public async Task OtherRegistriesCredentialsAndPathStyleRequestsAreRefused()
    {
        var a = await fixture.NewRegistryAsync("hb");
        var b = await fixture.NewRegistryAsync("hb");
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };

        using (var foreign = await SendAsync(http, HttpMethod.Get, a.Endpoint, "/v2/app/tags/list", Basic(b.Username, b.Password)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        }

        // B's token asked on A's host for A's repository grants nothing there.
        using (var tokenResponse = await SendAsync(http, HttpMethod.Get, a.Endpoint, "/auth/token?service=berth&scope=repository:app:pull", Basic(b.Username, b.Password)))
        {
            using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            Assert.False(json.RootElement.TryGetProperty("scope", out _));
        }

        // Without a registry host, a path-style name is not a registry: no data is reachable that way.
        using var pathStyle = await SendAsync(http, HttpMethod.Get, fixture.Server.BaseUrl.Authority, $"/v2/{a.Name}/app/tags/list", Basic(a.Username, a.Password));
        Assert.Equal(HttpStatusCode.NotFound, pathStyle.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await pathStyle.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static AuthenticationHeaderValue Basic(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password)));

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string host, string path,
        AuthenticationHeaderValue? auth, byte[]? body = null, string contentType = "application/octet-stream")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        request.Headers.Authorization = auth;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return http.SendAsync(request);
    }
}
