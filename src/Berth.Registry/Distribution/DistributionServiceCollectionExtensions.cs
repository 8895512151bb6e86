using Berth.Registry.Retention;
using Berth.Registry.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Distribution;

public static class DistributionServiceCollectionExtensions
{
    /// <summary>The OCI distribution API under <c>/v2</c>: its handlers, the blob store, uploads and pull counting.</summary>
    public static IServiceCollection AddBerthDistribution(this IServiceCollection services)
    {
        services.TryAddSingleton<RegistryAddressing>();
        services.TryAddSingleton<IScopeRegistryResolver>(sp => sp.GetRequiredService<RegistryAddressing>());
        services.TryAddSingleton<BlobTransfers>();
        services.TryAddSingleton<BlobHandler>();
        services.TryAddSingleton<UploadHandler>();
        services.TryAddSingleton<ManifestHandler>();
        services.TryAddSingleton<TagsHandler>();
        services.TryAddSingleton<CatalogHandler>();
        services.TryAddSingleton<ReferrersHandler>();
        services.TryAddSingleton<V2Dispatcher>();
        services.TryAddSingleton<UploadJanitor>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadJanitor>());
        services.TryAddSingleton<PullRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<PullRecorder>());
        services.TryAddSingleton<IPendingPulls>(sp => sp.GetRequiredService<PullRecorder>());
        return services;
    }
}
