using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>Credentials, tokens, login throttling, and the listener that applies other nodes' credential changes.</summary>
    public static IServiceCollection AddBerthAuth(this IServiceCollection services)
    {
        services.TryAddSingleton<SigningKeys>();
        services.TryAddSingleton<CredentialGenerations>();
        services.TryAddSingleton<CredentialVerifier>();
        services.TryAddSingleton<RegistryTokenVerifier>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<V2Authenticator>();
        services.TryAddSingleton<UserAuthenticator>();
        services.TryAddSingleton<UserRegistryAccess>();
        services.TryAddSingleton<FederatedSignIn>();
        services.AddBerthAuthentication();
        services.TryAddSingleton<LoginThrottle>();
        services.AddHostedService<CredentialChangeListener>();
        return services;
    }
}
