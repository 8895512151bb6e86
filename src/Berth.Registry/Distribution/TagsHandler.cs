using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Core.Metadata;

namespace Berth.Registry.Distribution;

/// <summary><c>GET /v2/&lt;name&gt;/tags/list</c> with <c>n</c>/<c>last</c> pagination.</summary>
public sealed class TagsHandler(IArtifactStore artifacts)
{
    public async Task HandleAsync(V2Request request)
    {
        if (!HttpMethods.IsGet(request.Request.Method) && !HttpMethods.IsHead(request.Request.Method))
        {
            throw new OciException(OciErrorCode.Unsupported);
        }

        var page = Pagination.FromQuery(request.Request.Query);
        var repository = await artifacts.GetRepositoryAsync(request.RegistryId, request.Target.Repository, request.Aborted)
            ?? throw new OciException(OciErrorCode.NameUnknown);

        // Ask for one more than the page to learn whether a next page exists.
        var tags = page.Limit == 0 ? [] : await artifacts.ListTagsAsync(repository.Id, page.Last, page.Limit + 1, request.Aborted);
        var hasMore = tags.Count > page.Limit;
        var shown = hasMore ? tags.Take(page.Limit).ToList() : tags;
        page.WriteNextLink(request.Response, $"{request.BasePath}/tags/list", shown, hasMore);
        request.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(request.Response.Body, new TagList(request.Target.Name, shown), V2Json.Options, request.Aborted);
    }

    private sealed record TagList(string Name, IReadOnlyList<string> Tags);
}

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

internal static class V2Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Media types contain '+'; clients read JSON, not HTML, so no need to escape it as \u002B.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
