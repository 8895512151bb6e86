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

internal static class V2Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Media types contain '+'; clients read JSON, not HTML, so no need to escape it as \u002B.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
