using Berth.Registry.Auditing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Management;

public static class ManagementServiceCollectionExtensions
{
    /// <summary>
    /// The management API's services: projects (create, members, delete) and registries (create, resize, reset the
    /// password, delete and purge), access checks, pull secrets, the repository browser, and users and their access tokens.
    /// </summary>
    public static IServiceCollection AddBerthManagement(this IServiceCollection services)
    {
        services.TryAddSingleton<TenantService>();
        services.TryAddSingleton<ProjectAccess>();
        services.TryAddSingleton<ProjectAudit>();
        services.TryAddSingleton<ProjectMembers>();
        services.TryAddSingleton<ProjectDeletion>();
        services.TryAddSingleton<PullSecretIssuer>();
        services.TryAddSingleton<RegistryLifecycle>();
        services.TryAddSingleton<UsageNotices>();
        services.TryAddSingleton<UsageNoticeAudit>();
        services.TryAddSingleton<RegistryAudit>();
        services.TryAddSingleton<RegistryPasswordReset>();
        services.TryAddSingleton<RegistryDeletion>();
        services.TryAddSingleton<RegistryPurger>();
        services.TryAddSingleton<UserAccounts>();
        services.TryAddSingleton<AccessTokens>();
        services.TryAddSingleton<RegistryAccessTokens>();
        services.TryAddSingleton<FederationRuleManagement>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryPurger>());
        services.AddBerthRepositoryApi();
        return services;
    }
}
