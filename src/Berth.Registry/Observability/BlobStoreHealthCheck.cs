using Berth.Core.Metadata;
using Berth.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Registry.Observability;

/// <summary>Readiness: the blob store answers (a stat of a path that need not exist).</summary>
public sealed class BlobStoreHealthCheck(IBlobDriver driver) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await driver.StatAsync(BlobPaths.HealthProbe, cancellationToken);
            return HealthCheckResult.Healthy(driver.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{driver.Name} blob store unreachable: {ex.GetType().Name}");
        }
    }
}
