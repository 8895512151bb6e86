namespace Berth.Core.Metadata;

/// <summary>
/// One page of a store listing: at most <see cref="Limit"/> items in <see cref="Sort"/> order (a sort name the listing
/// documents, "-" first for descending), after <see cref="After"/> when given, only those matching <see cref="Q"/>
/// when given (a case-insensitive substring of the listing's name).
/// </summary>
public sealed record ListQuery(int Limit, string Sort, string? Q = null, ListCursor? After = null);
