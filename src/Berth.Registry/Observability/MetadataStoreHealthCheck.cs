using Berth.Core.Metadata;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Registry.Observability;

/// <summary>Readiness: the metadata store answers.</summary>
public sealed class MetadataStoreHealthCheck(IMetadataStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("metadata store did not answer");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("metadata store unreachable: " + ex.GetType().Name);
        }
    }
}
