using System.Text.RegularExpressions;
using Berth.Core.Tenancy;

namespace Berth.Core.Tests;

public sealed partial class SecretsTests
{
    [Fact]
    public void PasswordIsLongAndUsesOnlyUnambiguousCharacters()
    {
        for (var i = 0; i < 50; i++)
        {
            var password = Secrets.NewPassword();

            Assert.True(password.Length >= 32, $"password of {password.Length} characters");
            Assert.Matches(PasswordRegex(), password);
        }
    }

    [Fact]
    public void PasswordsDiffer()
    {
        Assert.NotEqual(Secrets.NewPassword(), Secrets.NewPassword());
    }

    [Fact]
    public void IdIs32LowercaseHexAndUnique()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => Secrets.NewId()).ToList();

        Assert.All(ids, id => Assert.Matches(IdRegex(), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void KeyHasRequestedLength()
    {
        Assert.Equal(32, Secrets.NewKey().Length);
        Assert.Equal(64, Secrets.NewKey(64).Length);
        Assert.NotEqual(Secrets.NewKey(), Secrets.NewKey());
    }

    // Letters and digits without the look-alikes 0, O, 1, l and I.
    [GeneratedRegex("^[A-HJ-NP-Za-km-z2-9]+$")]
    private static partial Regex PasswordRegex();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex IdRegex();
}
