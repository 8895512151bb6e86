using Berth.Registry.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Berth.Registry.Observability;

public static class ObservabilityExtensions
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
                .AddPrometheusExporter());
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

    /// <summary><c>/healthz</c> (the process is alive), <c>/readyz</c> (metadata and blob stores answer), <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapBerthObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
