using Berth.Core.Metadata;
using Berth.Metadata.Postgres;
using Berth.Metadata.Sqlite;
using Berth.Registry.Auth;
using Berth.Registry.Collection;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Observability;
using Berth.Registry.Scanning;
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
        services.AddBerthForwardedHeaders();
        services.AddProblemDetails();
        services.AddExceptionHandler<MetadataBusyHandler>();

        // Unreadable request input (bad JSON, wrong types) reaches BadRequestExceptionHandler as an exception, to be
        // answered with an RFC 7807 body rather than the framework's empty 400. Numbers must be JSON numbers: the web
        // defaults would read "5" as 5, so a client's type error would pass unnoticed. A member given twice is
        // ambiguous (clients differ on which counts), so it is refused as in manifests.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();

        // First hosted service: the schema must exist before anything else touches the store.
        services.AddHostedService<BerthBootstrapper>();
        services.AddBerthStorage();
        services.AddBerthAuth();
        services.AddBerthDistribution();
        services.AddBerthObservability();
        services.TryAddSingleton<TenantService>();
        services.TryAddSingleton<ProjectAccess>();
        services.TryAddSingleton<PullSecretIssuer>();
        services.TryAddSingleton<RegistryLifecycle>();
        services.TryAddSingleton<RegistryPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryPurger>());
        services.TryAddSingleton<UploadJanitor>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadJanitor>());
        services.AddBerthCollection();
        services.TryAddSingleton<PullRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<PullRecorder>());
        services.AddBerthRepositoryApi();
        services.AddBerthScanning();
        services.AddBerthOpenApi();
        services.AddHostedService<CredentialChangeListener>();
        return services;
    }

    /// <summary>
    /// The metadata store and blob driver chosen by <c>Berth:Metadata:Provider</c> and <c>Berth:Storage:Provider</c>:
    /// embedded by default (SQLite and files under <c>Berth:DataDir</c>), PostgreSQL and S3 to scale out.
    /// </summary>
    public static IServiceCollection AddBerthStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<IMetadataStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BerthOptions>>().Value;
            return options.Metadata.Provider == MetadataOptions.PostgresProvider
                ? new PostgresMetadataStore(options.Metadata.ConnectionString!)
                : new SqliteMetadataStore(Path.Combine(DataDir(options), "berth.db"), options.Metadata.BusyTimeout);
        });

        // One store plays every metadata role (IMetadataStore is each of them).
        services.TryAddSingleton<ITenantStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IArtifactStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IUploadStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IAuditStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IUserStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IPullStatsStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IAdvisoryStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IScanStore>(sp => sp.GetRequiredService<IMetadataStore>());

        // Several nodes share the login throttling counters through PostgreSQL; the one embedded node keeps them in memory.
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>() as ILoginThrottleStore ?? new MemoryLoginThrottleStore());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BerthOptions>>().Value;
            return RegistryBlobStore.CreateDriver(options.Storage, Path.Combine(DataDir(options), "blobs"));
        });
        return services;
    }

    public static IServiceCollection AddBerthAuth(this IServiceCollection services)
    {
        services.TryAddSingleton<SigningKeys>();
        services.TryAddSingleton<CredentialGenerations>();
        services.TryAddSingleton<CredentialVerifier>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<V2Authenticator>();
        services.TryAddSingleton<UserAuthenticator>();
        services.TryAddSingleton<UserRegistryAccess>();
        services.AddBerthAuthentication();
        services.TryAddSingleton<LoginThrottle>();
        return services;
    }

    public static IServiceCollection AddBerthDistribution(this IServiceCollection services)
    {
        services.TryAddSingleton<RegistryAddressing>();
        services.TryAddSingleton<BlobLocks>();
        services.TryAddSingleton<BlobTransfers>();
        services.TryAddSingleton<UploadStates>();
        services.TryAddSingleton<StorageQuota>();
        services.TryAddSingleton<RegistryBlobStore>();
        services.TryAddSingleton<UploadSessions>();
        services.TryAddSingleton<BlobHandler>();
        services.TryAddSingleton<UploadHandler>();
        services.TryAddSingleton<ManifestHandler>();
        services.TryAddSingleton<TagsHandler>();
        services.TryAddSingleton<CatalogHandler>();
        services.TryAddSingleton<ReferrersHandler>();
        services.TryAddSingleton<V2Dispatcher>();
        return services;
    }

    private static string DataDir(BerthOptions options) => Path.GetFullPath(options.DataDir);
}
