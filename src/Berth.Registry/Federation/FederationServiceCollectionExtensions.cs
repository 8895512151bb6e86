using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Federation;

public static class FederationServiceCollectionExtensions
{
    // An issuer that takes longer than this to serve its keys is treated as down (its cached keys stay in use).
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);

    private const long MaxDocumentBytes = 512 * 1024;

    /// <summary>Workload identity federation: OIDC issuers' keys, ID token validation, and which rules still exist.</summary>
    public static IServiceCollection AddBerthFederation(this IServiceCollection services)
    {
        services.AddHttpClient(IssuerKeys.HttpClientName, client =>
        {
            client.Timeout = FetchTimeout;
            client.MaxResponseContentBufferSize = MaxDocumentBytes;
        });
        services.TryAddSingleton<IssuerKeys>();
        services.TryAddSingleton<IdTokenValidator>();
        services.TryAddSingleton<FederationRules>();
        return services;
    }
}
