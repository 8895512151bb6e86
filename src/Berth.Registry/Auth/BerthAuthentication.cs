using System.Security.Claims;
using System.Text.Encodings.Web;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Berth.Registry.Auth;

/// <summary>
/// Authentication of people and scripts on the management API and the dashboard. Scripts send HTTP Basic
/// (username and password, or username and a personal access token) or <c>Bearer &lt;personal access token&gt;</c>;
/// browsers hold a session cookie for the dashboard pages, which the API never accepts.
/// </summary>
public static class BerthAuthentication
{
    public const string Scheme = "Berth";
    public const string ApiScheme = "BerthApi";
    public const string CookieScheme = "BerthSession";

    public const string AdminClaim = "berth:admin";
    public const string StampClaim = "berth:stamp";

    public static ClaimsPrincipal PrincipalFor(UserRecord user, string scheme) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(ClaimTypes.Name, user.Username),
                new Claim(AdminClaim, user.IsAdmin ? "true" : "false"),
                new Claim(StampClaim, user.SecurityStamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            scheme));

    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("not an authenticated Berth user");

    public static string Username(this ClaimsPrincipal principal) => principal.Identity?.Name ?? "";

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.FindFirstValue(AdminClaim) == "true";

    public static AuthenticationBuilder AddBerthAuthentication(this IServiceCollection services)
    {
        // No default authenticate scheme: only endpoints that require authorization authenticate (through the default
        // policy), so /v2 and /auth/token, which have their own credential checks, never run these handlers.
        services.AddAuthorization(options =>
            options.DefaultPolicy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build());
        return services.AddAuthentication(options =>
            {
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
                options.DefaultSignInScheme = CookieScheme;
                options.DefaultSignOutScheme = CookieScheme;
            })
            .AddPolicyScheme(Scheme, "API credentials or session", options =>
                // The API never takes the session cookie (so it has no CSRF surface); pages take nothing else.
                options.ForwardDefaultSelector = context =>
                    context.Request.Path.StartsWithSegments("/api") || context.Request.Headers.Authorization.Count > 0 ? ApiScheme : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiAuthenticationHandler>(ApiScheme, null)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = "berth_session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/login";

                // The API answers 401/403, never a redirect to the login page.
                options.Events.OnRedirectToLogin = context => Redirect(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Redirect(context, StatusCodes.Status403Forbidden);

                // A password change (new security stamp) ends every session made before it.
                options.Events.OnValidatePrincipal = async context =>
                {
                    var users = context.HttpContext.RequestServices.GetRequiredService<IUserStore>();
                    var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
                    var user = id is null ? null : await users.GetUserByIdAsync(id, context.HttpContext.RequestAborted);
                    if (user is null || context.Principal!.FindFirstValue(StampClaim) != user.SecurityStamp.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieScheme);
                    }
                };
            });
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context, int apiStatus)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = apiStatus;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}

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

        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Credentials are required: a username with its password or a personal access token.").ExecuteAsync(Context);
    }

    private static string Capitalised(string message) => char.ToUpperInvariant(message[0]) + message[1..];

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: 403, title: "Forbidden", detail: "Your role does not allow this.").ExecuteAsync(Context);
}
