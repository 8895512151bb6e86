using Berth.Core.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>Deleting with a recovery window (<see cref="ArtifactBin"/>) and tag immutability (<c>Berth:Retention</c>).</summary>
    public static IServiceCollection AddBerthRetention(this IServiceCollection services)
    {
        services.TryAddSingleton<IArtifactBinStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<ArtifactBin>();
        services.TryAddSingleton<TagImmutability>();
        return services;
    }
}
