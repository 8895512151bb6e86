namespace Berth.Scanning.Versions;

/// <summary>Helpers for comparing arbitrarily long digit runs without overflow.</summary>
internal static class Digits
{
    /// <summary>Compares two runs of ASCII digits numerically: leading zeros dropped, then longer is larger, then ordinal.</summary>
    public static int CompareNumeric(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length)
        {
            return a.Length < b.Length ? -1 : 1;
        }

        return Math.Sign(a.SequenceCompareTo(b));
    }

    public static bool AllDigits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
}
