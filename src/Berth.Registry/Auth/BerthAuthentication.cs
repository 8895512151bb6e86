using System.Security.Claims;
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

    internal static AuthenticationBuilder AddBerthAuthentication(this IServiceCollection services)
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
