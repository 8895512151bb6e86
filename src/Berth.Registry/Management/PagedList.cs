using System.Globalization;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;

namespace Berth.Registry.Management;

/// <summary>
/// A page of a management list as the response: the body a JSON array of the items (as before paging, so existing
/// clients still parse it), and when there are more, <c>Link: &lt;…?limit=…&amp;after=…&gt;; rel="next"</c> like /v2's
/// tag list, keeping the query's search and sort. Map its endpoint with
/// <see cref="PagedListEndpointExtensions.ProducesPagedList{T}"/> so the OpenAPI document describes both.
/// </summary>
public sealed class PagedList<T>(IReadOnlyList<T> items, ListCursor? next, ListPageRequest request) : IResult
{
    public IReadOnlyList<T> Items { get; } = items;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (next is not null)
        {
            var req = httpContext.Request;
            var query = $"?limit={request.Limit.ToString(CultureInfo.InvariantCulture)}&after={next.Encode()}&sort={Uri.EscapeDataString(request.Sort.ToString())}";
            if (request.Search is { } search)
            {
                query += "&q=" + Uri.EscapeDataString(search);
            }

            // A list's own filters (e.g. ?repository=) hold for every page.
            foreach (var (key, values) in req.Query.Where(q => q.Key is not ("limit" or "after" or "sort" or "q")))
            {
                query += string.Concat(values.Select(v => $"&{Uri.EscapeDataString(key)}={Uri.EscapeDataString(v ?? "")}"));
            }

            Pagination.WriteNextLink(httpContext.Response, (req.PathBase + req.Path).ToUriComponent() + query);
        }

        return TypedResults.Ok(Items).ExecuteAsync(httpContext);
    }
}
