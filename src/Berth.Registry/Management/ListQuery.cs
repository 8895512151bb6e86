using System.ComponentModel;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Registry.Management;

/// <summary>
/// The paging parameters of a management list, <c>?limit=&amp;after=&amp;q=&amp;sort=</c> (bound with
/// <c>[AsParameters]</c>, so the OpenAPI document lists them). Out-of-range or unknown values are a 400 problem, never
/// silently clamped: a client that asked for more than it gets would miss items.
/// </summary>
public sealed class ListQuery
{
    [FromQuery(Name = "limit")]
    [Description("Items per page, 1 to 1000 (default 100). When there are more, the response has a Link header (rel=\"next\") to the next page.")]
    public int? Limit { get; init; }

    [FromQuery(Name = "after")]
    [Description("Opaque cursor: where the previous page ended, as given in its Link header.")]
    public string? After { get; init; }

    [FromQuery(Name = "q")]
    [Description("Only items whose name contains this text (case-insensitive).")]
    public string? Q { get; init; }

    [FromQuery(Name = "sort")]
    [Description("Sort key, '-' first for descending (e.g. name, -created). Ties are broken by id.")]
    public string? Sort { get; init; }

    /// <summary>The store's request for this query, sorted by one of <paramref name="keys"/> (by <paramref name="defaultSort"/> when none is asked).</summary>
    /// <exception cref="ManagementException">400: a limit out of range, an unknown sort, or a cursor no page gave</exception>
    public ListPageRequest ToRequest(ListSort defaultSort, params string[] keys)
    {
        if (Limit is < 1 or > ListPageRequest.MaxLimit)
        {
            throw new ManagementException(400, "Invalid limit", $"limit must be between 1 and {ListPageRequest.MaxLimit}.");
        }

        var sort = defaultSort;
        if (Sort is not null && !ListSort.TryParse(Sort, keys, out sort))
        {
            throw new ManagementException(400, "Invalid sort", $"sort must be one of {string.Join(", ", keys.SelectMany(k => new[] { k, "-" + k }))}.");
        }

        ListCursor? after = null;
        if (!string.IsNullOrEmpty(After))
        {
            try
            {
                after = ListCursor.Decode(After);
            }
            catch (InvalidCursorException e)
            {
                throw new ManagementException(400, "Invalid cursor", e.Message + " Pass the 'after' of a Link header unchanged.");
            }
        }

        return new ListPageRequest(Limit ?? ListPageRequest.DefaultLimit, sort, after, string.IsNullOrWhiteSpace(Q) ? null : Q.Trim());
    }
}
