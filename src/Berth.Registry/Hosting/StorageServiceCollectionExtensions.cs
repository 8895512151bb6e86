using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Metadata.Postgres;
using Berth.Metadata.Sqlite;
using Berth.Storage.FileSystem;
using Berth.Storage.S3;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Hosting;

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

        // Several nodes share the login throttling counters through PostgreSQL; the one embedded node keeps them in memory.
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>() as ILoginThrottleStore ?? new MemoryLoginThrottleStore());
        services.TryAddSingleton<IBlobDriver>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BerthOptions>>().Value;
            if (options.Storage.Provider != StorageOptions.S3Provider)
            {
                return new FileSystemBlobDriver(Path.Combine(DataDir(options), "blobs"));
            }

            // Credentials: the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).
            var s3 = options.Storage.S3;
            return new S3BlobDriver(new S3BlobDriverOptions(
                s3.Bucket!,
                s3.Region,
                string.IsNullOrWhiteSpace(s3.ServiceUrl) ? null : new Uri(s3.ServiceUrl),
                s3.ForcePathStyle,
                s3.Prefix ?? "",
                RedirectGets: s3.RedirectGets));
        });
        return services;
    }

    private static string DataDir(BerthOptions options) => Path.GetFullPath(options.DataDir);
}
