using System.Security.Cryptography;
using System.Text;
using Berth.Metadata.Sqlite;
using Berth.Registry.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Berth.Registry.Observability;

public static partial class ObservabilityExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>
    /// Health checks, Prometheus metrics and OpenTelemetry traces. Traces are exported over OTLP when the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) variable names a collector;
    /// otherwise they are not collected at all.
    /// </summary>
    public static IServiceCollection AddBerthObservability(this IServiceCollection services)
    {
        services.TryAddSingleton<BerthMetrics>();
        services.AddHealthChecks()
            .AddCheck<MetadataStoreHealthCheck>("metadata", tags: [ReadyTag])
            .AddCheck<BlobStoreHealthCheck>("blobs", tags: [ReadyTag]);

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("berth"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(BerthMetrics.Name)
                .AddMeter(SqliteMetadataStore.MeterName)
                // The runtime's own instruments (GC pauses and heap, thread pool queue, CPU): what tells a slow
                // request caused by the process from one caused by the database.
                .AddMeter("System.Runtime")
                // No cached scrape: a scrape always shows the counts as they are (Prometheus scrapes every few seconds
                // at most, so building the text each time costs nothing worth caching).
                .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        // Either standard variable names a collector: the general endpoint, or the one for traces alone.
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")))
        {
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource(BerthMetrics.Name)
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// <c>/healthz</c> (the process is alive), <c>/readyz</c> (metadata and blob stores answer), and <c>/metrics</c> for
    /// the bearer token of <c>Berth:Metrics:Token</c>, when one is configured.
    /// </summary>
    public static IEndpointRouteBuilder MapBerthObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });

        // The series name every tenant's registries (and count their pulls): not for anyone who can reach the port.
        var token = app.ServiceProvider.GetRequiredService<IOptions<BerthOptions>>().Value.Metrics.Token;
        if (string.IsNullOrEmpty(token))
        {
            LogMetricsOff(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityExtensions)));
            return app;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(next => context => IsScraper(context, expected) ? next(context) : ChallengeAsync(context)),
            optionsName: null);
        return app;
    }

    /// <summary>
    /// Compares SHA-256 digests in constant time: neither the content nor the length of the configured token shows in
    /// how long a wrong guess takes.
    /// </summary>
    private static bool IsScraper(HttpContext context, byte[] expected) =>
        RequestCredentials.GetBearer(context.Request) is { } presented
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);

    private static Task ChallengeAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "/metrics needs the bearer token configured in Berth:Metrics:Token.").ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "/metrics is off: set Berth:Metrics:Token to have Prometheus scrape it with that bearer token")]
    private static partial void LogMetricsOff(ILogger logger);
}
