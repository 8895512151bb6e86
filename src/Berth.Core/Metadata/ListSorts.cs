namespace Berth.Core.Metadata;

/// <summary>The sorts of the paged listings (<see cref="ListQuery.Sort"/>): a key, "-" first for descending.</summary>
public static class ListSorts
{
    public const string Pushed = "pushed";
    public const string PushedDescending = "-pushed";
    public const string Name = "name";
    public const string NameDescending = "-name";
    public const string Updated = "updated";
    public const string UpdatedDescending = "-updated";

    /// <summary>Artifacts of a repository; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Artifacts = [PushedDescending, Pushed];

    /// <summary>Tags of a repository; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Tags = [Name, NameDescending, Updated, UpdatedDescending];

    /// <summary>True for the sorts by a time (ties by name), false for those by name alone.</summary>
    public static bool IsByTime(string sort) => sort.TrimStart('-') is Pushed or Updated;
}
