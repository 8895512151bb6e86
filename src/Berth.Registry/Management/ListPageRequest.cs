using System.Globalization;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Microsoft.AspNetCore.WebUtilities;

namespace Berth.Registry.Management;

/// <summary>
/// The query string of a keyset-paged listing (docs/api.md, "Paging"): <c>?limit=</c> (1–1000, default 100),
/// <c>?after=</c> (the opaque cursor of the previous page's <c>Link</c>), <c>?q=</c> (a case-insensitive substring)
/// and <c>?sort=</c> (one the listing offers, "-" first for descending). Anything else is a 400 problem, never a
/// silently different page.
/// </summary>
public static class ListPageRequest
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    /// <summary>Longer searches match no tag or repository name anyway (both are at most 255 characters).</summary>
    private const int MaxQueryLength = 256;

    /// <summary>The page <paramref name="query"/> asks for, in one of <paramref name="sorts"/> (the first is the default).</summary>
    /// <exception cref="ManagementException">400 when a parameter is out of range or the cursor is not one of this listing's</exception>
    public static ListQuery Parse(IQueryCollection query, IReadOnlyList<string> sorts, int defaultLimit = DefaultLimit)
    {
        var limitText = query["limit"].ToString();
        var limit = defaultLimit;
        if (limitText.Length > 0
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            throw Invalid($"limit must be a whole number from 1 to {MaxLimit}; it was '{limitText}'.");
        }

        var sort = query["sort"].ToString();
        if (sort.Length == 0)
        {
            sort = sorts[0];
        }
        else if (!sorts.Contains(sort, StringComparer.Ordinal))
        {
            throw Invalid($"sort must be one of {string.Join(", ", sorts)}; it was '{sort}'.");
        }

        var q = query["q"].ToString();
        if (q.Length > MaxQueryLength)
        {
            throw Invalid($"q is at most {MaxQueryLength} characters long.");
        }

        var afterText = query["after"].ToString();
        var after = afterText.Length == 0 ? null : ListCursor.Decode(afterText);
        if (afterText.Length > 0 && (after is null || !after.Fits(sort)))
        {
            throw Invalid("after is not a cursor of this listing in this sort: take it from the Link header of the previous page.");
        }

        return new ListQuery(limit, sort, q.Length == 0 ? null : q, after);
    }

    /// <summary>
    /// The address of the page after this one: the request's own path and query string with <c>after</c> set to
    /// <paramref name="next"/>; null on the last page.
    /// </summary>
    public static string? NextPage(HttpRequest request, ListCursor? next)
    {
        if (next is null)
        {
            return null;
        }

        var parameters = request.Query
            .Where(p => !string.Equals(p.Key, "after", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new KeyValuePair<string, string?>("after", next.Encode()));
        return QueryHelpers.AddQueryString((request.PathBase + request.Path).ToUriComponent(), parameters);
    }

    /// <summary>Writes the <c>Link: &lt;…&gt;; rel="next"</c> header of a page, as <c>/v2</c>'s listings do, unless it is the last.</summary>
    public static void WriteNextLink(HttpContext context, ListCursor? next)
    {
        if (NextPage(context.Request, next) is { } target)
        {
            Pagination.WriteNextLink(context.Response, target);
        }
    }

    private static ManagementException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "Invalid paging parameter", detail);
}
