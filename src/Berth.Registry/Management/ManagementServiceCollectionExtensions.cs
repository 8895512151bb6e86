using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Management;

public static class ManagementServiceCollectionExtensions
{
    /// <summary>
    /// The management API's services: projects and registries (create, resize, reset the password, delete and purge),
    /// access checks, pull secrets, and the repository browser.
    /// </summary>
    public static IServiceCollection AddBerthManagement(this IServiceCollection services)
    {
        services.TryAddSingleton<TenantService>();
        services.TryAddSingleton<ProjectAccess>();
        services.TryAddSingleton<PullSecretIssuer>();
        services.TryAddSingleton<RegistryLifecycle>();
        services.TryAddSingleton<UsageNotices>();
        services.TryAddSingleton<RegistryPasswordReset>();
        services.TryAddSingleton<RegistryDeletion>();
        services.TryAddSingleton<RegistryPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryPurger>());
        services.AddBerthRepositoryApi();
        return services;
    }
}
