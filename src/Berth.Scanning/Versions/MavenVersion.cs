namespace Berth.Scanning.Versions;

/// <summary>
/// Maven versions, ordered as Maven's <c>ComparableVersion</c>: the (lower-cased) string splits into items at '.'
/// and '-' and at every digit/letter transition; '-' (and a transition) opens a nested sub-list; trailing "null"
/// items (0, "", "ga", "final", "release") are dropped from each list. Known qualifiers order
/// alpha &lt; beta &lt; milestone &lt; rc = cr &lt; snapshot &lt; "" = ga = final = release &lt; sp, unknown qualifiers
/// after them lexically; a single letter directly followed by a digit is an alias (a1 = alpha-1, b = beta,
/// m = milestone). Numbers beat qualifiers and lists; lists beat qualifiers.
/// </summary>
public sealed class MavenVersion : VersionComparer<MavenVersion.ListItem>
{
    public static readonly MavenVersion Instance = new();

    public override string Name => "maven";

    public abstract class Item
    {
        /// <summary>Compares with another item, or with "nothing" (the shorter list ran out) when <paramref name="other"/> is null.</summary>
        public abstract int CompareTo(Item? other);

        /// <summary>Items equivalent to nothing, dropped from the end of a list.</summary>
        public abstract bool IsNull { get; }
    }

    public sealed class IntItem(string digits) : Item
    {
        public string Digits { get; } = digits.TrimStart('0') is { Length: > 0 } d ? d : "0";

        public override bool IsNull => Digits == "0";

        public override int CompareTo(Item? other) => other switch
        {
            null => IsNull ? 0 : 1,
            IntItem i => Versions.Digits.CompareNumeric(Digits, i.Digits),
            _ => 1, // a number is newer than a qualifier or a sub-list: 1.0.1 > 1.0-1 > 1.0-alpha
        };
    }

    public sealed class StringItem : Item
    {
        private static readonly string[] Qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
        private static readonly string ReleaseIndex = "5"; // Qualifiers.IndexOf("")

        public StringItem(string value, bool followedByDigit)
        {
            // ComparableVersion's aliases: a1/b1/m1 and ga/final/release/cr.
            if (followedByDigit && value.Length == 1)
            {
                value = value switch { "a" => "alpha", "b" => "beta", "m" => "milestone", _ => value };
            }

            value = value switch { "ga" or "final" or "release" => "", "cr" => "rc", _ => value };
            var index = Array.IndexOf(Qualifiers, value);
            // Known qualifiers sort by their index; unknown ones after all of them, among themselves lexically.
            Comparable = index >= 0 ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Qualifiers.Length}-{value}";
        }

        private string Comparable { get; }

        public override bool IsNull => Comparable == ReleaseIndex;

        public override int CompareTo(Item? other) => other switch
        {
            null => Math.Sign(string.CompareOrdinal(Comparable, ReleaseIndex)),
            IntItem => -1,
            StringItem s => Math.Sign(string.CompareOrdinal(Comparable, s.Comparable)),
            _ => -1,
        };
    }

    public sealed class ListItem : Item
    {
        public List<Item> Items { get; } = [];

        public override bool IsNull => Items.Count == 0;

        public override int CompareTo(Item? other)
        {
            switch (other)
            {
                case null:
                    return Items.Count == 0 ? 0 : Items[0].CompareTo(null);
                case ListItem list:
                    for (var i = 0; i < Math.Max(Items.Count, list.Items.Count); i++)
                    {
                        var l = i < Items.Count ? Items[i] : null;
                        var r = i < list.Items.Count ? list.Items[i] : null;
                        var c = l is null ? -r!.CompareTo(null) : l.CompareTo(r);
                        if (c != 0)
                        {
                            return c;
                        }
                    }
                    return 0;
                default:
                    // A sub-list is older than a number (1-1 < 1.1) and newer than a qualifier (1-1 > 1-alpha).
                    return other is IntItem ? -1 : 1;
            }
        }

        // Drops trailing null items, looking through trailing sub-lists (ComparableVersion.ListItem.normalize).
        internal void Normalize()
        {
            for (var i = Items.Count - 1; i >= 0; i--)
            {
                if (Items[i].IsNull)
                {
                    Items.RemoveAt(i);
                }
                else if (Items[i] is not ListItem)
                {
                    break;
                }
            }
        }
    }

    public override bool TryParse(string version, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ListItem parsed)
    {
        var v = version.Trim().ToLowerInvariant();
        parsed = new ListItem();
        if (v.Length == 0)
        {
            return false;
        }

        var list = parsed;
        var stack = new Stack<ListItem>();
        stack.Push(list);
        var isDigit = false;
        var start = 0;
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (c == '.')
            {
                list.Items.Add(i == start ? new IntItem("0") : ParseItem(isDigit, v[start..i]));
                start = i + 1;
            }
            else if (c == '-')
            {
                list.Items.Add(i == start ? new IntItem("0") : ParseItem(isDigit, v[start..i]));
                start = i + 1;
                list.Items.Add(list = new ListItem());
                stack.Push(list);
            }
            else if (char.IsAsciiDigit(c))
            {
                // letters → digits: "alpha1" is the qualifier alpha then a sub-list starting with 1.
                if (!isDigit && i > start)
                {
                    list.Items.Add(new StringItem(v[start..i], followedByDigit: true));
                    start = i;
                    list.Items.Add(list = new ListItem());
                    stack.Push(list);
                }
                isDigit = true;
            }
            else
            {
                // digits → letters: "1rc" is 1 then a sub-list starting with rc.
                if (isDigit && i > start)
                {
                    list.Items.Add(ParseItem(isDigit: true, v[start..i]));
                    start = i;
                    list.Items.Add(list = new ListItem());
                    stack.Push(list);
                }
                isDigit = false;
            }
        }
        if (v.Length > start)
        {
            list.Items.Add(ParseItem(isDigit, v[start..]));
        }

        while (stack.Count > 0)
        {
            stack.Pop().Normalize();
        }

        return true;
    }

    private static Item ParseItem(bool isDigit, string text) => isDigit ? new IntItem(text) : new StringItem(text, followedByDigit: false);

    public override int Compare(ListItem a, ListItem b) => a.CompareTo(b);
}
