using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Collection;

public static class CollectionServiceCollectionExtensions
{
    /// <summary>The background collector of unreferenced blobs and storage leftovers (<c>Berth:Collection</c>).</summary>
    public static IServiceCollection AddBerthCollection(this IServiceCollection services)
    {
        services.TryAddSingleton<BlobCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<BlobCollector>());
        return services;
    }
}
