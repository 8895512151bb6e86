using Berth.Core.Distribution;
using Berth.Core.Metadata;

namespace Berth.Registry.Auth;

/// <summary>
/// <c>/auth/token</c>: Docker token auth. GET with HTTP Basic (docker, podman, skopeo) and the OAuth2 POST form
/// (containerd) with the password or refresh-token grant. The token grants the intersection of what was asked
/// and what the credential allows: pull/push/delete on its own registry's repositories, nothing elsewhere.
/// </summary>
public static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapBerthTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/token", GetAsync).ExcludeFromDescription();
        app.MapPost("/auth/token", PostAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext context, CredentialVerifier verifier, UserRegistryAccess users, TokenService tokens, IScopeRegistryResolver addressing)
    {
        if (!RequestCredentials.TryGetBasic(context.Request, out var username, out var password))
        {
            return Unauthorized(context, "credentials required");
        }

        var scopes = Scope.ParseAll(context.Request.Query["scope"]);
        RegistryPrincipal? principal;
        try
        {
            principal = await VerifyAsync(context, username, password, scopes, verifier, users, addressing);
        }
        catch (LoginRefusedException ex)
        {
            return Refused(context, ex);
        }

        if (principal is null)
        {
            return Unauthorized(context, "invalid username or password");
        }

        var result = Issue(context, principal, scopes, tokens, addressing, refresh: context.Request.Query["offline_token"] == "true");
        return Results.Json(result, TokenResponseContext.Default.TokenResponse);
    }

    private static async Task<IResult> PostAsync(HttpContext context, CredentialVerifier verifier, UserRegistryAccess users, IUserStore userStore,
        TokenService tokens, IScopeRegistryResolver addressing)
    {
        if (!context.Request.HasFormContentType)
        {
            return Error("invalid_request", OciErrorCode.Unsupported.Code, "expected an application/x-www-form-urlencoded body", 400);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var scopes = Scope.ParseAll(form["scope"]);
        RegistryPrincipal? principal;
        switch (form["grant_type"].ToString())
        {
            case "password":
                try
                {
                    principal = await VerifyAsync(context, form["username"].ToString(), form["password"].ToString(), scopes, verifier, users, addressing);
                }
                catch (LoginRefusedException ex)
                {
                    return Refused(context, ex);
                }

                break;
            case "refresh_token":
                principal = await tokens.ValidateAsync(form["refresh_token"].ToString(), TokenKind.Refresh, allowExpired: false, context.RequestAborted);
                principal = await RefreshedAsync(principal, userStore, users, context.RequestAborted);
                break;
            default:
                return Error("unsupported_grant_type", OciErrorCode.Unsupported.Code, "grant_type must be password or refresh_token", 400);
        }

        if (principal is null)
        {
            return Unauthorized(context, "invalid credentials");
        }

        var result = Issue(context, principal, scopes, tokens, addressing, refresh: form["access_type"] == "offline");
        return Results.Json(result, TokenResponseContext.Default.TokenResponse);
    }

    private static TokenResponse Issue(HttpContext context, RegistryPrincipal principal, List<Scope> scopes, TokenService tokens, IScopeRegistryResolver addressing, bool refresh)
    {
        var grants = new List<AccessGrant>();
        foreach (var scope in scopes)
        {
            if (scope.Type == "repository" && addressing.RegistryOfScopeName(context.Request, scope.Name) == principal.RegistryName)
            {
                var allowed = Scope.ParseActions(scope.Actions) & principal.ActionsOn(scope.Name, addressing.RepositoryOfScopeName(scope.Name));
                if (allowed != RepositoryActions.None)
                {
                    grants.Add(new AccessGrant("repository", scope.Name, Scope.FormatActions(allowed).Split(',')));
                }
            }
            else if (scope is { Type: "registry", Name: "catalog" } && principal.HasRegistry)
            {
                // The catalog is always filtered to the caller's own registry.
                grants.Add(new AccessGrant("registry", "catalog", ["*"]));
            }
        }

        var token = tokens.IssueAccessToken(principal, grants);
        var refreshToken = refresh ? tokens.IssueRefreshToken(principal).Token : null;
        var expiresIn = (int)token.Lifetime.TotalSeconds;
        return new TokenResponse(token.Token, token.Token, expiresIn, token.IssuedAt.UtcDateTime.ToString("O"), refreshToken,
            grants.Count == 0 ? null : string.Join(' ', grants.Select(g => $"{g.Type}:{g.Name}:{string.Join(',', g.Actions)}")));
    }

    /// <summary>
    /// A registry's own credential, or a user's personal access token (resolved to the registry its first repository
    /// scope names; a user's token serves one registry per bearer token).
    /// </summary>
    private static async ValueTask<RegistryPrincipal?> VerifyAsync(HttpContext context, string username, string password, List<Scope> scopes,
        CredentialVerifier verifier, UserRegistryAccess users, IScopeRegistryResolver addressing)
    {
        if (!UserAuthenticator.LooksLikeAccessToken(password))
        {
            return await verifier.VerifyAsync(username, password, context.Connection.RemoteIpAddress, context.RequestAborted);
        }

        var registry = scopes.Where(s => s.Type == "repository")
            .Select(s => addressing.RegistryOfScopeName(context.Request, s.Name))
            .FirstOrDefault(name => name is not null);
        return await users.AuthenticateAsync(username, password, registry, context.RequestAborted);
    }

    /// <summary>
    /// What a refresh token stands for now: the registry's full access for its own credential; for a user's access
    /// token, what the user's project role allows today.
    /// </summary>
    private static async ValueTask<RegistryPrincipal?> RefreshedAsync(RegistryPrincipal? principal, IUserStore userStore, UserRegistryAccess users, CancellationToken cancellationToken)
    {
        if (principal is null || principal.AccessTokenId is null)
        {
            return principal is null ? null : principal with { Grants = null, WholeRegistry = RepositoryActions.All };
        }

        var user = await userStore.GetUserAsync(principal.UserName!, cancellationToken);
        return user is null || !principal.HasRegistry ? null : await users.ForRegistryAsync(user, principal.AccessTokenId, principal.RegistryName, cancellationToken);
    }

    private static IResult Refused(HttpContext context, LoginRefusedException ex)
    {
        ex.ApplyHeaders(context.Response);
        return ex.RetryAfter is null
            ? Unauthorized(context, ex.Message)
            : Error("too_many_requests", OciErrorCode.TooManyRequests.Code, ex.Message, ex.StatusCode);
    }

    private static IResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"berth\"";
        return Error("unauthorized", OciErrorCode.Unauthorized.Code, detail, StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// An OAuth2 error (RFC 6749 §5.2) that also carries the OCI <c>errors</c> array: docker, podman and skopeo print the
    /// message of the latter, and would otherwise show a generic "authentication required".
    /// </summary>
    private static IResult Error(string oauthError, string ociCode, string message, int status) =>
        Results.Json(new OAuthError(oauthError, message, [new OciError(ociCode, message)]), TokenResponseContext.Default.OAuthError, statusCode: status);
}
