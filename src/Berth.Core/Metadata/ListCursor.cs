using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Berth.Core.Metadata;

/// <summary>
/// Where a page of a keyset-paged list ends: the sort key's name, the value of that key on the item and the item's
/// id (the tiebreaker). Clients see it only as an opaque base64url token (<see cref="Encode"/>), passed back as
/// <c>after</c>; times travel as UTC ticks so the bound value compares exactly with the stored one.
/// </summary>
public sealed record ListCursor(string SortKey, string Key, string Id)
{
    private const char Separator = '\n';

    public static ListCursor Of(string sortKey, DateTimeOffset key, string id) =>
        new(sortKey, key.UtcTicks.ToString(CultureInfo.InvariantCulture), id);

    public static ListCursor Of(string sortKey, DateTimeOffset key, long id) =>
        Of(sortKey, key, id.ToString(CultureInfo.InvariantCulture));

    public static ListCursor Of(string sortKey, string key, long id) =>
        new(sortKey, key, id.ToString(CultureInfo.InvariantCulture));

    /// <summary>The key as the instant it encodes.</summary>
    /// <exception cref="InvalidCursorException">the key is not a time</exception>
    public DateTimeOffset TimeKey =>
        long.TryParse(Key, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw new InvalidCursorException("The cursor does not belong to this list.");

    /// <summary>The id as a number (for lists whose items have numeric ids).</summary>
    /// <exception cref="InvalidCursorException">the id is not a number</exception>
    public long NumericId =>
        long.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidCursorException("The cursor does not belong to this list.");

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, SortKey, Key, Id)));

    /// <exception cref="InvalidCursorException">not a token <see cref="Encode"/> made</exception>
    public static ListCursor Decode(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(Separator);
            if (parts.Length == 3)
            {
                return new ListCursor(parts[0], parts[1], parts[2]);
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidCursorException("The cursor is not one a previous page gave.");
    }
}
