namespace Berth.Core.Metadata;

/// <summary>
/// The order of a paged list: a key the list knows (<c>name</c>, <c>created</c>, …) and a direction. Written
/// <c>name</c> or <c>-name</c> (descending) in a query string; ties are broken by the item's id, in the same direction.
/// </summary>
public readonly record struct ListSort(string Key, bool Descending)
{
    public const string NameKey = "name";

    public const string CreatedKey = "created";

    public const string UpdatedKey = "updated";

    /// <summary>When an artifact (manifest) was pushed.</summary>
    public const string PushedKey = "pushed";

    /// <summary>The audit log's one order: when it happened (by insertion, newest first unless reversed).</summary>
    public const string AtKey = "at";

    /// <summary>The recovery bin's one order: when the entry was deleted (newest first unless reversed).</summary>
    public const string DeletedKey = "deleted";

    public static ListSort Ascending(string key) => new(key, false);

    public static ListSort Descend(string key) => new(key, true);

    /// <summary>The same key the other way round: how a page before a cursor is read (then reversed).</summary>
    public ListSort Reversed => this with { Descending = !Descending };

    /// <summary>Parses <c>key</c> or <c>-key</c>; false when the key is not one of <paramref name="keys"/>.</summary>
    public static bool TryParse(string? text, IReadOnlyCollection<string> keys, out ListSort sort)
    {
        sort = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var descending = text[0] == '-';
        var key = descending ? text[1..] : text;
        if (!keys.Contains(key, StringComparer.Ordinal))
        {
            return false;
        }

        sort = new ListSort(key, descending);
        return true;
    }

    public override string ToString() => Descending ? "-" + Key : Key;
}
