using Berth.Registry.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Registry.Observability;

/// <summary>Readiness: the blob store answers (a stat of a path that need not exist).</summary>
public sealed class BlobStoreHealthCheck(RegistryBlobStore blobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await blobs.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy(blobs.StorageName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{blobs.StorageName} blob store unreachable: {ex.GetType().Name}");
        }
    }
}
