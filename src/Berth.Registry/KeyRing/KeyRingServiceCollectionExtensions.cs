using Berth.Core.Metadata;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.KeyRing;

public static class KeyRingServiceCollectionExtensions
{
    /// <summary>The application name every node shares: cookies and tokens are readable only under the same one.</summary>
    public const string ApplicationName = "berth";

    /// <summary>
    /// The data-protection key ring (session cookies, antiforgery tokens, TempData) kept in the metadata store and
    /// encrypted with <c>Berth:DataProtection:Key</c>, so any node reads what another wrote. Register after the
    /// bootstrapper (the start check reads the store, which must be migrated first) and before anything else adds
    /// data protection.
    /// </summary>
    public static IServiceCollection AddBerthKeyRing(this IServiceCollection services)
    {
        // Before AddDataProtection, whose own hosted service loads the key ring at start: with a wrong key it would
        // find no usable key and store a new one, encrypted with that key, before this check could refuse to start.
        services.AddHostedService<KeyRingCheck>();
        services.TryAddSingleton<KeyRingSecret>();
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDataProtectionKeyStore, TimeProvider, KeyRingSecret>((options, store, time, secret) =>
            {
                options.XmlRepository = new MetadataXmlRepository(store, time);
                options.XmlEncryptor = new KeyRingXmlEncryptor(secret);
            });
        return services;
    }
}
