using System.Reflection;
using System.Text.RegularExpressions;
using Berth.Registry.Management;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Berth.Registry.Hosting;

/// <summary>
/// The management API's OpenAPI document at <c>/openapi/v1.json</c> and an interactive reference at
/// <c>/api/reference</c>. Only <c>/api/v1</c> is described (not /v2, /auth or pages). The reference page's script is
/// served from the Scalar package itself, and its fonts and telemetry are off: it works without internet access.
/// </summary>
public static partial class BerthOpenApi
{
    public const string DocumentName = "v1";

    public const string ReferencePath = "/api/reference";

    public static IServiceCollection AddBerthOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Berth management API",
                    Version = DocumentName,
                    Description = "Projects, registries, repositories and artifacts of a Berth server. Errors are RFC 7807 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["basic"] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "basic",
                        Description = "Username and password, or username and a personal access token.",
                    },
                    ["bearer"] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "A personal access token.",
                    },
                };
                document.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                ];
                return Task.CompletedTask;
            });

            // Endpoints mapped without a summary get one from their handler's name ("ListProjectAuditAsync" ->
            // "List project audit"), so every operation reads sensibly without each mapping spelling it out.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (string.IsNullOrEmpty(operation.Summary) &&
                    context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault() is { } handler)
                {
                    var words = Words().Matches(handler.Name.EndsWith("Async", StringComparison.Ordinal) ? handler.Name[..^5] : handler.Name)
                        .Select((m, i) => i == 0 ? m.Value : m.Value.ToLowerInvariant());
                    operation.Summary = string.Join(' ', words);
                }

                // A paged list's 200 response may carry the Link to its next page.
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<PagedListMetadata>().Any() &&
                    operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
                {
                    ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    ok.Headers["Link"] = new OpenApiHeader
                    {
                        Description = "When there are more items: <…?limit=…&after=…>; rel=\"next\", the URL of the next page (RFC 8288).",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }

                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapBerthOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("Berth management API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(DocumentName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }

    [GeneratedRegex("[A-Z][a-z0-9]*")]
    private static partial Regex Words();
}
