using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Dashboard;

/// <summary>The web console: server-rendered Razor Pages on top of the registry's services, in the same process.</summary>
public static class DashboardExtensions
{
    /// <summary>Where <c>/</c> leads: the projects the signed-in user can see.</summary>
    public const string HomePath = "/projects";

    /// <summary>The dashboard's icon (Berth's logo), linked from every page.</summary>
    public const string FaviconPath = "/favicon.svg";

    private const string Favicon =
        """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2557d6"/><path d="M7 20h18l-2.5 5h-13zM9 11h6v7H9zM16.5 8h6v10h-6z" fill="#fff"/></svg>""";

    public static IServiceCollection AddBerthDashboard(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
            {
                // Every page needs a session except the ones a signed-out visitor must reach.
                options.Conventions.AuthorizeFolder("/");
                options.Conventions.AllowAnonymousToPage("/Login");
                options.Conventions.AllowAnonymousToPage("/NotFound");
            })
            .AddMvcOptions(options => options.Filters.Add<ProblemPageFilter>());

        // TempData carries a result across Post/Redirect/Get, one-time secrets included: in a cookie encrypted by
        // the shared key ring (any node reads it), never sent cross-site, never readable by script.
        services.Configure<CookieTempDataProviderOptions>(options =>
        {
            options.Cookie.Name = "berth_tempdata";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.IsEssential = true;
        });
        return services;
    }

    /// <summary>The dashboard's middleware: its security headers. Goes before authentication.</summary>
    public static IApplicationBuilder UseBerthDashboard(this IApplicationBuilder app) => DashboardSecurityHeaders.Use(app);

    public static IEndpointRouteBuilder MapBerthDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect(HomePath)).ExcludeFromDescription().WithMetadata(DashboardSecurityHeaders.Marker);
        app.MapRazorPages().WithMetadata(DashboardSecurityHeaders.Marker);

        // Browsers ask for /favicon.ico on their own, whatever the page links: both answer the same SVG (no 404s).
        foreach (var path in new[] { FaviconPath, "/favicon.ico" })
        {
            app.MapGet(path, (HttpContext context) =>
                {
                    context.Response.Headers.CacheControl = "public, max-age=86400";
                    return Results.Text(Favicon, "image/svg+xml");
                })
                .ExcludeFromDescription()
                .AllowAnonymous();
        }

        // Any other address gets the designed "not found" page (lowest priority: /v2, /api and pages win).
        app.MapFallbackToPage("/NotFound").WithMetadata(DashboardSecurityHeaders.Marker);
        return app;
    }
}
