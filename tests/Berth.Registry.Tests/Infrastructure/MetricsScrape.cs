using System.Net.Http.Headers;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// <c>/metrics</c> is served only with a bearer token configured (<c>Berth:Metrics:Token</c>): the token test servers
/// that are scraped get, and a scrape that sends it.
/// </summary>
public static class MetricsScrape
{
    public const string Token = "metrics-token-for-tests-0123456789";

    /// <summary>The environment variable that configures <see cref="Token"/> on a server.</summary>
    public static KeyValuePair<string, string> Environment => new("Berth__Metrics__Token", Token);

    /// <summary>The Prometheus text of the server, fetched as a configured scraper would.</summary>
    public static async Task<string> GetAsync(Uri baseUrl)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await http.GetStringAsync("/metrics");
    }
}

/// <summary>A server whose <c>/metrics</c> is readable with <see cref="MetricsScrape.Token"/>.</summary>
public sealed class MetricsBerthFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>([MetricsScrape.Environment]);
}
