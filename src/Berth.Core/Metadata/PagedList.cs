namespace Berth.Core.Metadata;

/// <summary>A page of a keyset-paged listing, and where the next page starts (null: this is the last).</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, ListCursor? Next);
