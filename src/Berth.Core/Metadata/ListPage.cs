namespace Berth.Core.Metadata;

/// <summary>
/// A page of a keyset-paged list, with the cursors of its first and last items: the next page starts after
/// <see cref="Last"/>, the previous one ends before <see cref="First"/> (read with the sort reversed).
/// </summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, bool HasMore, ListCursor? First, ListCursor? Last)
{
    /// <summary>Where the next page starts, or null when this is the last page.</summary>
    public ListCursor? Next => HasMore ? Last : null;
}
