using System.Text.Json;
using Berth.Core.Metadata;

namespace Berth.Registry.Distribution;

/// <summary><c>GET /v2/_catalog</c>: the repositories of the caller's registry only.</summary>
public sealed class CatalogHandler(IArtifactStore artifacts, RegistryAddressing addressing)
{
    public async Task HandleAsync(HttpContext context, Auth.RegistryPrincipal principal)
    {
        var page = Pagination.FromQuery(context.Request.Query);

        // Clients see full names (<registry>/<repo> when path-based); the store knows names inside the registry.
        var prefix = addressing.IsHostBased ? "" : principal.RegistryName + "/";
        var last = page.Last;
        if (last is not null && prefix.Length > 0)
        {
            last = last.StartsWith(prefix, StringComparison.Ordinal) ? last[prefix.Length..] : null;
        }

        var names = page.Limit == 0 ? [] : await artifacts.ListRepositoriesAsync(principal.RegistryId, last, page.Limit + 1, context.RequestAborted);
        var hasMore = names.Count > page.Limit;
        var shown = (hasMore ? names.Take(page.Limit) : names).Select(n => prefix + n).ToList();
        page.WriteNextLink(context.Response, "/v2/_catalog", shown, hasMore);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new Catalog(shown), V2Json.Options, context.RequestAborted);
    }

    private sealed record Catalog(IReadOnlyList<string> Repositories);
}
