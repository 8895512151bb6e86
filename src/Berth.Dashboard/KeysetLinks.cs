using Berth.Core.Metadata;

namespace Berth.Dashboard;

/// <summary>
/// The links of a keyset-paged dashboard list: its search, its sort headers and Next/Previous, each keeping the rest of
/// the list's state (<c>?q=&amp;sort=&amp;after=</c> or <c>&amp;before=</c>) and landing on <paramref name="Fragment"/>.
/// </summary>
public sealed record KeysetLinks(string Path, string? Search, ListSort Sort, ListSort DefaultSort, string? NextToken, string? PreviousToken, string Fragment)
{
    public string? NextHref => NextToken is null ? null : Href(Sort, Search, "after", NextToken);

    public string? PreviousHref => PreviousToken is null ? null : Href(Sort, Search, "before", PreviousToken);

    /// <summary>The list sorted by <paramref name="key"/>: the other way round when it already is, else ascending (or descending first, for times).</summary>
    public string SortHref(string key, bool descendingFirst = false) =>
        Href(Sort.Key == key ? Sort.Reversed : new ListSort(key, descendingFirst), Search, null, null);

    /// <summary>The <c>aria-sort</c> of a column header: how the list is sorted by it, if at all.</summary>
    public string? AriaSort(string key) => Sort.Key != key ? null : Sort.Descending ? "descending" : "ascending";

    public string Arrow(string key) => Sort.Key != key ? "" : Sort.Descending ? " ↓" : " ↑";

    /// <summary>The list's first page without the search (the search box's Clear).</summary>
    public string ClearHref => Href(Sort, null, null, null);

    /// <summary>The sort to carry in the search form (null: the default, left out of the address).</summary>
    public string? SortParameter => Sort == DefaultSort ? null : Sort.ToString();

    private string Href(ListSort sort, string? search, string? cursorName, string? cursor)
    {
        var query = new List<string>();
        if (search is not null)
        {
            query.Add("q=" + Uri.EscapeDataString(search));
        }

        if (sort != DefaultSort)
        {
            query.Add("sort=" + Uri.EscapeDataString(sort.ToString()));
        }

        if (cursorName is not null)
        {
            query.Add(cursorName + "=" + cursor);
        }

        return Path + (query.Count == 0 ? "" : "?" + string.Join('&', query)) + "#" + Fragment;
    }
}
