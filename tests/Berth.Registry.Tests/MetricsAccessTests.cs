using System.Net;
using System.Net.Http.Headers;
using Berth.Registry.Hosting;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>/metrics</c> names every tenant's registries: a server without <c>Berth:Metrics:Token</c> does not serve it at
/// all (the server with a token is in <see cref="OperationsTests"/>).
/// </summary>
public sealed class MetricsAccessTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task WithoutAConfiguredTokenMetricsAreNotServed()
    {
        var registry = await fixture.NewRegistryAsync("quiet");
        using var client = fixture.Client(registry);
        await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "v1");

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        foreach (var authorization in new AuthenticationHeaderValue?[] { null, new("Bearer", MetricsScrape.Token) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = authorization } };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(registry.Name, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Contains("/metrics is off", fixture.Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AShortTokenStopsTheServerWithAMessageNamingTheKey()
    {
        var validator = new BerthOptionsValidator();

        var result = validator.Validate(null, new BerthOptions { Metrics = { Token = "too-short" } });

        Assert.True(result.Failed);
        Assert.Contains("Berth:Metrics:Token", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new BerthOptions { Metrics = { Token = MetricsScrape.Token } }).Succeeded);
        Assert.True(validator.Validate(null, new BerthOptions()).Succeeded);
    }
}
