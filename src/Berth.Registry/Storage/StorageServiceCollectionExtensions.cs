using Berth.Core.Metadata;
using Berth.Metadata.Postgres;
using Berth.Metadata.Sqlite;
using Berth.Registry.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Storage;

public static class StorageServiceCollectionExtensions
{
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
        services.TryAddSingleton<IDataProtectionKeyStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IRegistryTokenStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IFederationStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<ITagImmutabilityStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<IUsageNoticeStore>(sp => sp.GetRequiredService<IMetadataStore>());
        services.TryAddSingleton<ICleanupStore>(sp => sp.GetRequiredService<IMetadataStore>());

        // Several nodes share the login throttling counters through PostgreSQL; the one embedded node keeps them in memory.
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>() as ILoginThrottleStore ?? new MemoryLoginThrottleStore());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BerthOptions>>().Value;
            return RegistryBlobStore.CreateDriver(options.Storage, Path.Combine(DataDir(options), "blobs"));
        });

        // The sealed blob layer: the only code that sees storage paths or the driver.
        services.TryAddSingleton<BlobLocks>();
        services.TryAddSingleton<StorageQuota>();
        services.TryAddSingleton<UploadStates>();
        services.TryAddSingleton<RegistryBlobStore>();
        services.TryAddSingleton<UploadSessions>();
        return services;
    }

    private static string DataDir(BerthOptions options) => Path.GetFullPath(options.DataDir);
}
