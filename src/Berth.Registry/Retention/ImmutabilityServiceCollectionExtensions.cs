using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Retention;

public static class ImmutabilityServiceCollectionExtensions
{
    /// <summary>Tag immutability: the rules (read by pushes and deletes) and their API.</summary>
    public static IServiceCollection AddBerthImmutability(this IServiceCollection services)
    {
        services.TryAddSingleton<TagImmutability>();
        return services;
    }
}
