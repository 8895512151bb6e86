namespace Berth.Registry.Auth;

/// <summary>Authenticates /v2 requests: a bearer token from <c>/auth/token</c>, or Basic credentials directly.</summary>
public sealed class V2Authenticator(TokenService tokens, CredentialVerifier verifier, RegistryTokenVerifier registryTokens, UserRegistryAccess users,
    FederatedSignIn federation)
{
    /// <param name="registryName">The registry the request addresses (null for <c>/v2/</c> and the catalog): a user's
    /// access token is resolved to that registry's access.</param>
    public async ValueTask<RegistryPrincipal?> AuthenticateAsync(HttpRequest request, bool allowExpiredToken, string? registryName, CancellationToken cancellationToken)
    {
        if (RequestCredentials.GetBearer(request) is { } token)
        {
            return await tokens.ValidateAsync(token, TokenKind.Access, allowExpiredToken, cancellationToken);
        }

        if (RequestCredentials.TryGetBasic(request, out var username, out var password))
        {
            if (RegistryTokenVerifier.LooksLikeToken(password))
            {
                return await registryTokens.VerifyAsync(username, password, request.HttpContext.Connection.RemoteIpAddress, cancellationToken);
            }

            if (FederatedSignIn.IsToken(password))
            {
                return await federation.SignInAsync(username, password, request.HttpContext.Connection.RemoteIpAddress, idTokenOnly: false, cancellationToken);
            }

            if (UserAuthenticator.LooksLikeAccessToken(password))
            {
                return await users.AuthenticateAsync(username, password, registryName, cancellationToken);
            }

            return await verifier.VerifyAsync(username, password, request.HttpContext.Connection.RemoteIpAddress, cancellationToken);
        }

        return null;
    }
}
