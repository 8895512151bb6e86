using Berth.Core.Metadata;

namespace Berth.Dashboard;

/// <summary>
/// Reads one page of a dashboard list from the query string: <c>q</c> (search), <c>sort</c>, and <c>after</c> (the
/// next page) or <c>before</c> (the previous one, read with the sort reversed and turned back round). Each page is one
/// store query of <see cref="PageSize"/> rows whatever the list's length. A cursor that no longer leads anywhere (its
/// items deleted, another sort, edited by hand) shows the first page rather than an error.
/// </summary>
public static class KeysetPaging
{
    public const int PageSize = 50;

    public static async Task<KeysetPage<T>> LoadAsync<T>(HttpRequest request, ListSort defaultSort, IReadOnlyCollection<string> keys, string fragment,
        Func<ListPageRequest, Task<ListPage<T>>> load)
    {
        var q = request.Query["q"].ToString().Trim();
        var search = q.Length == 0 ? null : q;
        var sort = ListSort.TryParse(request.Query["sort"], keys, out var asked) ? asked : defaultSort;
        KeysetLinks Links(string? next, string? previous) =>
            new(request.PathBase + request.Path, search, sort, defaultSort, next, previous, fragment);

        if (Cursor(request, "before") is { } before &&
            await TryLoadAsync(load, new ListPageRequest(PageSize, sort.Reversed, before, search)) is { Items.Count: > 0 } back)
        {
            // Read backwards from the cursor: the nearest item first. Turned round, its last item starts the page.
            return new KeysetPage<T>(back.Items.Reverse().ToList(), Links(back.First!.Encode(), back.HasMore ? back.Last!.Encode() : null));
        }

        if (Cursor(request, "after") is { } after &&
            await TryLoadAsync(load, new ListPageRequest(PageSize, sort, after, search)) is { Items.Count: > 0 } page)
        {
            return new KeysetPage<T>(page.Items, Links(page.Next?.Encode(), page.First!.Encode()));
        }

        var first = await load(new ListPageRequest(PageSize, sort, null, search));
        return new KeysetPage<T>(first.Items, Links(first.Next?.Encode(), null));
    }

    private static ListCursor? Cursor(HttpRequest request, string name)
    {
        var token = request.Query[name].ToString();
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            return ListCursor.Decode(token);
        }
        catch (InvalidCursorException)
        {
            return null;
        }
    }

    private static async Task<ListPage<T>?> TryLoadAsync<T>(Func<ListPageRequest, Task<ListPage<T>>> load, ListPageRequest request)
    {
        try
        {
            return await load(request);
        }
        catch (InvalidCursorException)
        {
            return null;
        }
    }
}
