using Berth.Metadata.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Berth.Registry.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The health checks <c>/readyz</c> runs.</summary>
    internal const string ReadyTag = "ready";

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
}
