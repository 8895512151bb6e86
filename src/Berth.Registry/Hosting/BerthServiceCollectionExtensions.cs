using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Metadata.Sqlite;
using Berth.Registry.Auth;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Observability;
using Berth.Storage.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Hosting;

public static class BerthServiceCollectionExtensions
{
    /// <summary>Registers everything <c>berth serve</c> runs: options, storage, metadata, auth and the API handlers.</summary>
    public static IServiceCollection AddBerth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BerthOptions>()
            .Bind(configuration.GetSection(BerthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BerthOptions>, BerthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // First hosted service: the schema must exist before anything else touches the store.
        services.AddHostedService<BerthBootstrapper>();
        services.AddBerthEmbeddedStorage();
        services.AddBerthAuth();
        services.AddBerthDistribution();
        services.AddBerthObservability();
        services.TryAddSingleton<TenantService>();
        services.TryAddSingleton<RegistryLifecycle>();
        services.TryAddSingleton<RegistryPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryPurger>());
        services.TryAddSingleton<UploadJanitor>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadJanitor>());
        services.AddHostedService<CredentialChangeListener>();
        return services;
    }

    /// <summary>The embedded defaults: SQLite metadata and filesystem blobs under <c>Berth:DataDir</c>.</summary>
    public static IServiceCollection AddBerthEmbeddedStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
            new SqliteMetadataStore(Path.Combine(DataDir(sp), "berth.db")));
        services.TryAddSingleton<IMetadataStore>(sp => sp.GetRequiredService<SqliteMetadataStore>());
        services.TryAddSingleton<ITenantStore>(sp => sp.GetRequiredService<SqliteMetadataStore>());
        services.TryAddSingleton<IArtifactStore>(sp => sp.GetRequiredService<SqliteMetadataStore>());
        services.TryAddSingleton<IUploadStore>(sp => sp.GetRequiredService<SqliteMetadataStore>());
        services.TryAddSingleton<IAuditStore>(sp => sp.GetRequiredService<SqliteMetadataStore>());
        services.TryAddSingleton<IBlobDriver>(sp => new FileSystemBlobDriver(Path.Combine(DataDir(sp), "blobs")));
        return services;
    }

    public static IServiceCollection AddBerthAuth(this IServiceCollection services)
    {
        services.TryAddSingleton<SigningKeys>();
        services.TryAddSingleton<CredentialGenerations>();
        services.TryAddSingleton<CredentialVerifier>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<V2Authenticator>();
        services.TryAddSingleton<AdminAccount>();
        services.TryAddSingleton<LoginThrottle>();
        return services;
    }

    public static IServiceCollection AddBerthDistribution(this IServiceCollection services)
    {
        services.TryAddSingleton<RegistryAddressing>();
        services.TryAddSingleton<BlobLocks>();
        services.TryAddSingleton<UploadStates>();
        services.TryAddSingleton<StorageQuota>();
        services.TryAddSingleton<RegistryBlobStore>();
        services.TryAddSingleton<BlobHandler>();
        services.TryAddSingleton<UploadHandler>();
        services.TryAddSingleton<ManifestHandler>();
        services.TryAddSingleton<TagsHandler>();
        services.TryAddSingleton<CatalogHandler>();
        services.TryAddSingleton<ReferrersHandler>();
        services.TryAddSingleton<V2Dispatcher>();
        return services;
    }

    private static string DataDir(IServiceProvider services) =>
        Path.GetFullPath(services.GetRequiredService<IOptions<BerthOptions>>().Value.DataDir);
}
