using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>
/// The hot path never hashes a password per request: a Basic credential is verified against its slow hash once and
/// then remembered, a bearer token is checked by its signature. Measured with the server's own counter of slow-hash
/// runs (<c>berth_auth_password_verifications_total</c> on <c>/metrics</c>); the server is this class's alone.
/// </summary>
public sealed class PasswordHashingTests(MetricsBerthFixture fixture) : IClassFixture<MetricsBerthFixture>
{
    private const int Requests = 50;

    [Fact]
    public async Task BasicCredentialIsHashedOnceForManyRequests()
    {
        var registry = await fixture.NewRegistryAsync("hash");
        using var basic = fixture.Client(registry, RegistryAuthMode.Basic);
        var name = registry.Repo("app");
        var before = await RegistryVerificationsAsync();

        // The push is a handful of Basic requests too; then 50 more.
        var image = await ImageContent.PushSmallImageAsync(basic, name, "v1");

        for (var i = 0; i < Requests; i++)
        {
            using var response = (i % 3) switch
            {
                0 => await basic.GetAsync("v2/"),
                1 => await basic.HeadManifestAsync(name, "v1"),
                _ => await basic.GetAsync($"v2/{name}/blobs/{image.LayerDigest}"),
            };
            await OciAssert.StatusAsync(response, HttpStatusCode.OK, $"request {i}" + fixture.ServerLog);
        }

        Assert.Equal(before + 1, await RegistryVerificationsAsync());

        // The counter does count hashes: wrong passwords are never remembered, each one is hashed.
        using var wrong = new RegistryClient(fixture.Server.BaseUrl, registry.Username, registry.Password + "x", RegistryAuthMode.Basic);
        for (var i = 0; i < 3; i++)
        {
            using var response = await wrong.GetAsync("v2/");
            await OciAssert.StatusAsync(response, HttpStatusCode.Unauthorized);
        }

        Assert.Equal(before + 4, await RegistryVerificationsAsync());
    }

    [Fact]
    public async Task BearerTokenRequestsHashNothingBeyondTheTokenRequest()
    {
        var registry = await fixture.NewRegistryAsync("hash");
        var name = registry.Repo("app");
        var before = await RegistryVerificationsAsync();

        using var tokens = fixture.Client(registry);
        var token = await tokens.GetTokenAsync($"repository:{name}:pull,push");
        Assert.Equal(before + 1, await RegistryVerificationsAsync());

        using var raw = new RegistryClient(fixture.Server.BaseUrl, null, null, RegistryAuthMode.None);
        var blob = ImageContent.RandomBlob(64);
        for (var i = 0; i < Requests; i++)
        {
            using var request = i == 0
                ? new HttpRequestMessage(HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={ImageContent.DigestOf(blob)}") { Content = RegistryClient.Octets(blob) }
                : new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Get : HttpMethod.Head, $"v2/{name}/blobs/{ImageContent.DigestOf(blob)}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await raw.Http.SendAsync(request);
            await OciAssert.StatusAsync(response, i == 0 ? HttpStatusCode.Created : HttpStatusCode.OK, $"request {i}" + fixture.ServerLog);
        }

        Assert.Equal(before + 1, await RegistryVerificationsAsync());
    }

    /// <summary>Slow-hash runs for registry credentials so far, read from <c>/metrics</c>.</summary>
    private async Task<long> RegistryVerificationsAsync()
    {
        // The Prometheus exporter serves a scrape cached for a moment: wait so this one is fresh.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var metrics = await MetricsScrape.GetAsync(fixture.Server.BaseUrl);
        var line = metrics.Split('\n').SingleOrDefault(l =>
            l.StartsWith("berth_auth_password_verifications_total{", StringComparison.Ordinal) && l.Contains("account=\"registry\"", StringComparison.Ordinal));

        // Before the first verification the series doesn't exist yet.
        return line is null ? 0 : long.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
