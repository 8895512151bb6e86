using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;

namespace Berth.Dashboard;

/// <summary>
/// The browser-side protections of every dashboard response: a Content-Security-Policy that runs only the layout's
/// own script and style (by a per-response nonce, so injected markup runs nothing), no framing (clickjacking of the
/// delete and password pages), no MIME sniffing, and no referrer beyond the dashboard itself (its URLs name projects
/// and registries). Its instance marks the dashboard's endpoints; /v2 and the API are left alone.
/// </summary>
public sealed class DashboardSecurityHeaders
{
    /// <summary>Endpoint metadata: this endpoint is part of the dashboard.</summary>
    public static readonly DashboardSecurityHeaders Marker = new();

    private static readonly object NonceKey = new();

    private DashboardSecurityHeaders()
    {
    }

    /// <summary>The nonce of this response, for the <c>nonce</c> attribute of the layout's <c>&lt;script&gt;</c> and <c>&lt;style&gt;</c>.</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    /// <summary>
    /// Adds the headers to the responses of dashboard endpoints. Goes before authentication, so its redirects to the
    /// login page carry them too.
    /// </summary>
    public static IApplicationBuilder Use(IApplicationBuilder app) => app.Use(next => context =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardSecurityHeaders>() is not null)
        {
            var nonce = Nonce(context);
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy =
                    $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' data:; " +
                    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
        }

        return next(context);
    });
}
