using System.Text.Encodings.Web;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.Authentication;

namespace Berth.Registry.Auth;

/// <summary>HTTP Basic (password or access token) and Bearer (access token) for API clients.</summary>
public sealed class ApiAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserAuthenticator authenticator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        UserRecord? user;
        if (RequestCredentials.TryGetBasic(Request, out var username, out var password))
        {
            if (UserAuthenticator.LooksLikeAccessToken(password))
            {
                user = await authenticator.VerifyAccessTokenAsync(password, Context.RequestAborted);
                user = user?.Username == username ? user : null;
            }
            else
            {
                try
                {
                    user = await authenticator.VerifyPasswordAsync(username, password, Context.Connection.RemoteIpAddress, Context.RequestAborted);
                }
                catch (LoginRefusedException ex)
                {
                    Context.Items[typeof(LoginRefusedException)] = ex;
                    return AuthenticateResult.Fail(ex.Message);
                }
            }
        }
        else if (RequestCredentials.GetBearer(Request) is { } token)
        {
            user = await authenticator.VerifyAccessTokenAsync(token, Context.RequestAborted);
        }
        else
        {
            return AuthenticateResult.NoResult();
        }

        return user is null
            ? AuthenticateResult.Fail("invalid credentials")
            : AuthenticateResult.Success(new AuthenticationTicket(BerthAuthentication.PrincipalFor(user, BerthAuthentication.ApiScheme), BerthAuthentication.ApiScheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refused = Context.Items[typeof(LoginRefusedException)] as LoginRefusedException;
        if (refused?.RetryAfter is not null)
        {
            refused.ApplyHeaders(Response);
            await Results.Problem(statusCode: 429, title: "Too many requests", detail: $"Too many failed logins; retry in {refused.RetryAfterSeconds} s.").ExecuteAsync(Context);
            return;
        }

        Response.Headers.WWWAuthenticate = "Basic realm=\"berth\"";
        if (refused is not null)
        {
            await Results.Problem(statusCode: 401, title: "Password replaced", detail: Capitalised(refused.Message) + ".").ExecuteAsync(Context);
            return;
        }

        // Credentials that were sent but are wrong say so; only a request without any is told what it needs.
        var detail = RequestCredentials.TryGetBasic(Request, out _, out _) ? "Wrong username or password."
            : RequestCredentials.GetBearer(Request) is not null ? "The access token is not valid: unknown, revoked or expired."
            : "Credentials are required: a username with its password or a personal access token.";
        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: detail).ExecuteAsync(Context);
    }

    private static string Capitalised(string message) => char.ToUpperInvariant(message[0]) + message[1..];

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: 403, title: "Forbidden", detail: "Your role does not allow this.").ExecuteAsync(Context);
}
