using System.Net;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>A server that collects abandoned uploads quickly (1 s idle, checked every second), with a metrics token.</summary>
public sealed class FastJanitorBerthFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Uploads__MaxIdle"] = "00:00:01",
        ["Berth__Uploads__CleanupInterval"] = "00:00:01",
        [MetricsScrape.Environment.Key] = MetricsScrape.Environment.Value,
    };
}

/// <summary>What an operator and a load balancer rely on: health, readiness, metrics, and abandoned-upload collection.</summary>
public sealed class OperationsTests(FastJanitorBerthFixture fixture) : IClassFixture<FastJanitorBerthFixture>
{
    [Fact]
    public async Task HealthAndReadinessAnswer()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MetricsCountRequestsBytesUploadsAndPulls()
    {
        var registry = await fixture.NewRegistryAsync("ops");
        using var client = fixture.Client(registry);
        var image = fixture.BuildImage(seed: 71, layers: 2);
        await client.PushImageAsync(registry.Repo("app"), image, "v1");
        using (var pull = await client.GetManifestAsync(registry.Repo("app"), "v1"))
        {
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        var metrics = await MetricsScrape.GetAsync(fixture.Server.BaseUrl);
        Assert.Contains($"berth_manifest_pulls_total{{otel_scope_name=\"Berth\",registry=\"{registry.Name}\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains($"berth_blob_uploads_total{{otel_scope_name=\"Berth\",registry=\"{registry.Name}\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_blob_bytes_received_bytes_total", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_v2_request_duration_seconds_bucket{otel_scope_name=\"Berth\",method=\"GET\",resource=\"Manifest\",status=\"200\"", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAreOnlyForTheConfiguredBearerToken()
    {
        var registry = await fixture.NewRegistryAsync("ops");
        using var client = fixture.Client(registry);
        await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "v1");

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        foreach (var authorization in new[] { null, "Bearer", "Bearer " + MetricsScrape.Token[..^1], "Bearer " + MetricsScrape.Token + "x",
                     "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + fixture.Server.AdminPassword)) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{authorization}: {response.StatusCode}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(registry.Name, body, StringComparison.Ordinal);
        }

        Assert.Contains($"registry=\"{registry.Name}\"", await MetricsScrape.GetAsync(fixture.Server.BaseUrl), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbandonedUploadsAreCollectedWithTheirBytes()
    {
        var registry = await fixture.NewRegistryAsync("ops");
        using var client = fixture.Client(registry, RegistryAuthMode.Basic);
        var location = await client.StartUploadAsync(registry.Repo("app"));
        using (var patch = await client.PatchAsync(location, new byte[4096], 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        var uploadsDir = Directory.GetDirectories(BlobTree.RegistriesRoot(fixture.Server.DataDir))
            .Select(d => Path.Combine(d, "uploads"))
            .Single(Directory.Exists);
        Assert.NotEmpty(Directory.GetFiles(uploadsDir, "*", SearchOption.AllDirectories));

        // Idle for > 1 s, collected within the next checks (bounded wait).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            await Task.Delay(500);
            using var check = await client.GetAsync(location);
            status = check.StatusCode;
        }
        while (status != HttpStatusCode.NotFound && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Empty(Directory.Exists(uploadsDir) ? Directory.GetFiles(uploadsDir, "*", SearchOption.AllDirectories) : []);
    }
}
