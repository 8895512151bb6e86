using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// What an operator wires into their monitoring: OpenTelemetry traces over OTLP (only when a collector is named) and
/// JSON console logs. Each test runs its own <c>berth serve</c>, since both are chosen by environment at start-up.
/// </summary>
public sealed class ObservabilityTests
{
    // The batch exporter is told to send every 200 ms, so spans arrive within moments; the bound is for slow machines.
    private static readonly TimeSpan ExportLimit = TimeSpan.FromSeconds(15);

    // How long the "nothing exported" test listens: many times the 200 ms export interval that the positive test
    // shows to be enough for spans to arrive.
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(3);

    // The port an OTLP/HTTP exporter sends to when no endpoint is configured (http://localhost:4318).
    private const int DefaultOtlpHttpPort = 4318;

    [Fact]
    public async Task TracesAreExportedOverOtlpHttpWhenAnEndpointIsConfigured()
    {
        using var collector = OtlpCollector.OnFreePort();
        await using var node = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });

        var project = "otel" + Guid.NewGuid().ToString("N")[..10];
        await MakeRequestsAsync(node, project);

        // The requests as spans: resource service.name=berth, and the path of each request (url.path) and the
        // management route template (http.route), as OTLP encodes string attributes.
        var serviceName = OtlpCollector.StringAttribute("service.name", "berth");
        var v2Path = OtlpCollector.StringAttribute("url.path", "/v2/");
        var projectPath = OtlpCollector.StringAttribute("url.path", "/api/v1/projects/" + project);
        var projectRoute = OtlpCollector.StringAttribute("http.route", "/api/v1/projects/{project}");
        bool Exported(IReadOnlyList<OtlpRequest> requests, byte[] attribute) =>
            requests.Any(r => r.Path == "/v1/traces" && r.Body.AsSpan().IndexOf(attribute) >= 0);
        var arrived = await collector.WaitForAsync(
            requests => Exported(requests, v2Path) && Exported(requests, projectPath) && Exported(requests, projectRoute),
            ExportLimit);
        var requests = collector.Requests;
        Assert.True(arrived, $"no trace export with both requests within {ExportLimit.TotalSeconds} s; got {Describe(requests)}\n--- server ---\n{node.OutputTail()}");

        var traces = requests.Where(r => r.Path == "/v1/traces").ToList();
        Assert.All(traces, r => Assert.Equal("POST", r.Method));
        Assert.All(traces, r => Assert.StartsWith("application/x-protobuf", r.ContentType, StringComparison.Ordinal));
        Assert.All(traces, r => Assert.True(r.Body.AsSpan().IndexOf(serviceName) >= 0, "an export without service.name=berth: " + Readable(r.Body)));

        // Only traces are exported: metrics go to /metrics (Prometheus), logs to the console.
        Assert.All(requests, r => Assert.Equal("/v1/traces", r.Path));
    }

    [Fact]
    public async Task NoTracesAreExportedWithoutAnEndpoint()
    {
        // An OTLP/HTTP exporter without an endpoint sends to http://localhost:4318: listen there, so that a server
        // that exported anyway would be caught.
        OtlpCollector collector;
        try
        {
            collector = OtlpCollector.OnPort(DefaultOtlpHttpPort);
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"port {DefaultOtlpHttpPort} (OTLP/HTTP's default) is taken on this machine; this test needs it free", e);
        }

        using var _ = collector;

        // The listener is reachable the way the exporter's default endpoint would reach it.
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        using (var probed = await probe.PostAsync($"http://localhost:{DefaultOtlpHttpPort}/v1/traces", new ByteArrayContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, probed.StatusCode);
        }

        Assert.Single(collector.Requests);
        collector.Clear();

        await using var node = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            // Empty, as if unset (a variable of the machine running the tests must not leak in).
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        await MakeRequestsAsync(node, "otel" + Guid.NewGuid().ToString("N")[..10]);
        await Task.Delay(QuietPeriod);

        Assert.True(collector.Requests.Count == 0, $"exported without an endpoint: {Describe(collector.Requests)}");
    }

    [Fact]
    public async Task JsonConsoleLogsAreOneJsonObjectPerLine()
    {
        await using var node = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffzzz",
            // Request logging, so that a request adds lines of its own.
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        });
        var project = "logs" + Guid.NewGuid().ToString("N")[..10];
        await MakeRequestsAsync(node, project);

        // The console logger writes from a background queue; wait (bounded) for the request's lines.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!node.Output.Contains("/api/v1/projects/" + project, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var lines = node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimEnd('\r'))
            .Where(line => !line.StartsWith("[test harness]", StringComparison.Ordinal))
            .ToList();
        Assert.True(lines.Count >= 3, "too few log lines:\n" + node.Output);

        var entries = new List<JsonElement>();
        foreach (var line in lines)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"not a JSON line: {line}\n({e.Message})\n--- server ---\n{node.OutputTail()}");
            }

            var entry = document.RootElement.Clone();
            document.Dispose();
            Assert.Equal(JsonValueKind.Object, entry.ValueKind);
            Assert.True(DateTimeOffset.TryParse(entry.GetProperty("Timestamp").GetString(), out _), "Timestamp: " + line);
            Assert.Equal(JsonValueKind.Number, entry.GetProperty("EventId").ValueKind);
            Assert.Contains(entry.GetProperty("LogLevel").GetString(), new[] { "Trace", "Debug", "Information", "Warning", "Error", "Critical" });
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("Category").GetString()), "Category: " + line);
            Assert.Equal(JsonValueKind.String, entry.GetProperty("Message").ValueKind);
            entries.Add(entry);
        }

        // Start-up and the request are among them, with their structured state.
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime"
            && e.GetProperty("Message").GetString()!.StartsWith("Now listening on: http://" + node.Host, StringComparison.Ordinal));
        Assert.Contains(entries, e => e.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal)
            && e.TryGetProperty("State", out var state) && state.TryGetProperty("Path", out var path)
            && path.GetString() == "/api/v1/projects/" + project);
    }

    /// <summary>GET /v2/ (anonymous: 401), a management call creating a project and one reading it back.</summary>
    private static async Task MakeRequestsAsync(BerthProcess node, string project)
    {
        using var anonymous = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };
        using (var v2 = await anonymous.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, v2.StatusCode);
        }

        using var admin = new ManagementClient(node.BaseUrl, "admin", node.AdminPassword);
        using (var created = await admin.Http.PostAsJsonAsync("api/v1/projects", new { name = project }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var read = await admin.Http.GetAsync("api/v1/projects/" + project))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
    }

    private static string Describe(IReadOnlyList<OtlpRequest> requests) =>
        requests.Count == 0
            ? "no requests"
            : string.Join("\n", requests.Select(r => $"{r.Method} {r.Path} ({r.ContentType}, {r.Body.Length} bytes): {Readable(r.Body)}"));

    /// <summary>The printable runs of a protobuf body, to see in a failure message which strings it carried.</summary>
    private static string Readable(byte[] body)
    {
        var text = new StringBuilder();
        foreach (var b in body)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '·');
        }

        var value = text.ToString();
        return value.Length <= 2000 ? value : value[..2000] + "…";
    }
}
