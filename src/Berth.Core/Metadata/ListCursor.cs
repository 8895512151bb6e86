using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Berth.Core.Metadata;

/// <summary>
/// Where a keyset-paged listing stopped: the sort it was listed in and the sort key of the last item returned. Clients
/// see it only as an opaque token (<see cref="Encode"/>); a token made for another sort is refused, since its keys
/// mean something else there.
/// </summary>
public sealed record ListCursor(string Sort, IReadOnlyList<string> Keys)
{
    // Sort names and keys (names, digests, ticks) never contain a line feed.
    private const char Separator = '\n';

    /// <summary>A cursor of a sort by time then name (<see cref="ListSorts.IsByTime"/>): the time travels as UTC ticks, exact at any precision.</summary>
    public static ListCursor AtTime(string sort, DateTimeOffset at, string name) =>
        new(sort, [at.UtcTicks.ToString(CultureInfo.InvariantCulture), name]);

    /// <summary>The time of a cursor that <see cref="Fits"/> a sort by time.</summary>
    public DateTimeOffset Time => new(long.Parse(Keys[0], NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>The name the last item had: the last key.</summary>
    public string Name => Keys[^1];

    /// <summary>
    /// True when a listing in <paramref name="sort"/> made this cursor: the same sort, and the keys that sort pages on
    /// (a time and a name, or a name alone).
    /// </summary>
    public bool Fits(string sort) =>
        Sort == sort && (ListSorts.IsByTime(sort)
            ? Keys.Count == 2 && long.TryParse(Keys[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
            : Keys.Count == 1);

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, [Sort, .. Keys])));

    /// <summary>The cursor a token encodes, or null when the token is not one of <see cref="Encode"/>'s.</summary>
    public static ListCursor? Decode(string token)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split(Separator);
        return parts.Length < 2 ? null : new ListCursor(parts[0], parts[1..]);
    }

    public bool Equals(ListCursor? other) => other is not null && Sort == other.Sort && Keys.SequenceEqual(other.Keys);

    public override int GetHashCode() => HashCode.Combine(Sort, Keys.Count);
}
