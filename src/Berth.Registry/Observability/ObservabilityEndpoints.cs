using System.Security.Cryptography;
using System.Text;
using Berth.Registry.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Berth.Registry.Observability;

public static partial class ObservabilityEndpoints
{
    /// <summary>
    /// <c>/healthz</c> (the process is alive), <c>/readyz</c> (metadata and blob stores answer), and <c>/metrics</c> for
    /// the bearer token of <c>Berth:Metrics:Token</c>, when one is configured.
    /// </summary>
    public static IEndpointRouteBuilder MapBerthObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ObservabilityServiceCollectionExtensions.ReadyTag) });

        // The series name every tenant's registries (and count their pulls): not for anyone who can reach the port.
        var token = app.ServiceProvider.GetRequiredService<IOptions<BerthOptions>>().Value.Metrics.Token;
        if (string.IsNullOrEmpty(token))
        {
            LogMetricsOff(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ObservabilityEndpoints)));
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
