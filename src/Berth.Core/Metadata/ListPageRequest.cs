namespace Berth.Core.Metadata;

/// <summary>
/// One page of a keyset-paged list: at most <paramref name="Limit"/> items in <paramref name="Sort"/> order, after
/// <paramref name="After"/> (null: from the start), keeping only items whose name contains
/// <paramref name="Search"/> (the <c>q</c> parameter; null or empty: all). Each page costs O(limit), however long the
/// list.
/// </summary>
public sealed record ListPageRequest(int Limit, ListSort Sort, ListCursor? After = null, string? Search = null)
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;
}
