using System.Text.Json;
using Berth.Core.Distribution;

namespace Berth.Registry.Auth;

/// <summary>
/// <c>POST /auth/federation/token</c>: exchanges an OIDC ID token that a federation rule of the registry trusts for a
/// registry token (form or JSON: <c>registry</c> and <c>token</c>), answered like <c>/auth/token</c>. The registry token
/// is a bearer token on /v2, and a password with the registry's name as the username (<c>docker login</c>), granting the
/// rule's scopes on its repositories until the sooner of the ID token's expiry and the rule's token lifetime.
/// </summary>
public static class FederationTokenEndpoint
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapBerthFederationTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/federation/token", PostAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> PostAsync(HttpContext context, FederatedSignIn federation, TokenService tokens)
    {
        var (registry, idToken) = await ReadAsync(context.Request, context.RequestAborted);
        if (string.IsNullOrEmpty(registry) || string.IsNullOrEmpty(idToken))
        {
            return TokenEndpoint.Error("invalid_request", OciErrorCode.Unsupported.Code,
                "expected a form or JSON body with \"registry\" (the registry's name) and \"token\" (the OIDC ID token)", StatusCodes.Status400BadRequest);
        }

        RegistryPrincipal? principal;
        try
        {
            principal = FederatedSignIn.IsToken(idToken)
                ? await federation.SignInAsync(registry, idToken, context.Connection.RemoteIpAddress, idTokenOnly: true, context.RequestAborted)
                : null;
        }
        catch (LoginRefusedException ex)
        {
            return TokenEndpoint.Refused(context, ex);
        }

        if (principal is null)
        {
            return TokenEndpoint.Unauthorized(context, "the ID token is not trusted by any federation rule of the registry");
        }

        var token = tokens.IssueRegistryToken(principal);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new TokenResponse(token.Token, token.Token, (int)token.Lifetime.TotalSeconds, token.IssuedAt.UtcDateTime.ToString("O"), null, null),
            TokenResponseContext.Default.TokenResponse);
    }

    private static async Task<(string? Registry, string? Token)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return default;
        }

        // A chunked body has no length to check first: Kestrel cuts it off at the limit instead.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(cancellationToken);
                return (form["registry"].ToString(), form["token"].ToString());
            }

            if (request.HasJsonContentType())
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                return body.RootElement.ValueKind == JsonValueKind.Object ? (Text(body.RootElement, "registry"), Text(body.RootElement, "token")) : default;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or BadHttpRequestException)
        {
            // Not JSON, a form past its limits, or a body past MaxBodyBytes: answered as a malformed request.
        }

        return default;
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
