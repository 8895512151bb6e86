using Berth.Registry.Distribution;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Scanning;

public static class ScanningServiceCollectionExtensions
{
    /// <summary>The vulnerability scanner: its queue, advisory database, reports, and the background workers.</summary>
    public static IServiceCollection AddBerthScanning(this IServiceCollection services)
    {
        services.TryAddSingleton<ScanQueue>();
        services.TryAddSingleton<IManifestPushListener>(sp => sp.GetRequiredService<ScanQueue>());
        services.TryAddSingleton<AdvisoryDatabase>();
        services.TryAddSingleton<ImageScanner>();
        services.TryAddSingleton<VulnerabilityReports>();
        services.TryAddSingleton<ScanWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ScanWorker>());
        return services;
    }
}
