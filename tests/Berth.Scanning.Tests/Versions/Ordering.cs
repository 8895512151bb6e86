using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

internal static class Ordering
{
    /// <summary>Asserts the comparison and its mirror image, so every table row also checks antisymmetry.</summary>
    public static void Check(IVersionComparer comparer, string a, string b, int expected)
    {
        Assert.Equal(expected, comparer.Compare(a, b));
        Assert.Equal(-expected, comparer.Compare(b, a));
        Assert.True(comparer.TryCompare(a, b, out var result));
        Assert.Equal(expected, result);
    }

    public static void Invalid(IVersionComparer comparer, string version)
    {
        Assert.False(comparer.IsValid(version));
        Assert.False(comparer.TryCompare(version, version, out _));
        var ex = Assert.Throws<InvalidVersionException>(() => comparer.Compare(version, version));
        Assert.Equal(version, ex.Version);
    }
}
