using System.Globalization;
using Berth.Core.Distribution;

namespace Berth.Registry.Distribution;

/// <summary>The <c>n</c>/<c>last</c> pagination of tag and catalog listings, with the <c>Link</c> header to the next page.</summary>
public readonly record struct Pagination(int Limit, string? Last, bool Explicit)
{
    /// <summary>A page size for requests that don't ask for one; a longer list continues through Link.</summary>
    public const int DefaultLimit = 1000;

    public const int MaxLimit = 10_000;

    public static Pagination FromQuery(IQueryCollection query)
    {
        var last = query["last"].ToString();
        var n = query["n"].ToString();
        if (n.Length == 0)
        {
            return new Pagination(DefaultLimit, last.Length == 0 ? null : last, false);
        }

        if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            throw new OciException(OciErrorCode.PaginationNumberInvalid, $"invalid n '{n}'");
        }

        return new Pagination(Math.Min(limit, MaxLimit), last.Length == 0 ? null : last, true);
    }

    /// <summary>Writes <c>Link: &lt;path?n=…&amp;last=…&gt;; rel="next"</c> when the page is full (there may be more).</summary>
    public void WriteNextLink(HttpResponse response, string path, IReadOnlyList<string> page, bool hasMore)
    {
        if (hasMore && page.Count > 0)
        {
            WriteNextLink(response, $"{path}?n={Limit}&last={Uri.EscapeDataString(page[^1])}");
        }
    }

    /// <summary>Writes <c>Link: &lt;target&gt;; rel="next"</c>: the form /v2 and the management API's paged listings share.</summary>
    public static void WriteNextLink(HttpResponse response, string target) => response.Headers.Link = $"<{target}>; rel=\"next\"";
}
