using Berth.Registry.Auth;
using Berth.Registry.Collection;
using Berth.Registry.Distribution;
using Berth.Registry.Federation;
using Berth.Registry.KeyRing;
using Berth.Registry.Management;
using Berth.Registry.Observability;
using Berth.Registry.Retention;
using Berth.Registry.Scanning;
using Berth.Registry.Storage;
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

        // Second: the key ring's start check needs the migrated store, and must run before anything loads the key ring.
        services.AddBerthKeyRing();
        services.AddBerthStorage();
        services.AddBerthFederation();
        services.AddBerthAuth();
        services.AddBerthDistribution();
        services.AddBerthObservability();
        services.AddBerthManagement();
        services.AddBerthCollection();
        services.AddBerthRetention();
        services.AddBerthScanning();
        services.AddBerthCleanup();
        services.AddBerthOpenApi();
        return services;
    }
}
