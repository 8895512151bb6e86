using Berth.Core.Tenancy;

namespace Berth.Core.Tests;

public sealed class TenantNamesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("a-b")]
    [InlineData("a--b")]
    [InlineData("123")]
    [InlineData("my-registry-01")]
    public void ValidNames(string name)
    {
        Assert.True(TenantNames.IsValidRegistryName(name));
        Assert.True(TenantNames.IsValidProjectName(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData("ABC")]
    [InlineData("abC")]
    [InlineData("a_b")]
    [InlineData("a.b")]
    [InlineData("a b")]
    [InlineData("abc\n")]
    [InlineData("äbc")]
    public void InvalidNames(string? name)
    {
        Assert.False(TenantNames.IsValidRegistryName(name));
        Assert.False(TenantNames.IsValidProjectName(name));
    }

    [Fact]
    public void LengthLimitIs63()
    {
        var name63 = "a" + new string('-', 61) + "z";
        Assert.True(TenantNames.IsValidRegistryName(name63));
        Assert.True(TenantNames.IsValidRegistryName(new string('x', 63)));
        Assert.False(TenantNames.IsValidRegistryName(new string('x', 64)));
        Assert.False(TenantNames.IsValidProjectName(new string('x', 64)));
    }
}
