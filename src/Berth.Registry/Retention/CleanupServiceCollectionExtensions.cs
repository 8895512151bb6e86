using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Retention;

public static class CleanupServiceCollectionExtensions
{
    /// <summary>Cleanup policies, their dry runs and runs (manual and scheduled).</summary>
    public static IServiceCollection AddBerthCleanup(this IServiceCollection services)
    {
        services.TryAddSingleton<CleanupPolicies>();
        services.TryAddSingleton<CleanupPlanner>();
        services.TryAddSingleton<CleanupRunner>();
        services.TryAddSingleton<CleanupRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<CleanupRuns>());
        services.AddHostedService<CleanupScheduler>();
        return services;
    }
}
