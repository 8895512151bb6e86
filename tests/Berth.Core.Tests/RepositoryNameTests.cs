using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class RepositoryNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a/b")]
    [InlineData("a-b__c.d/e")]
    [InlineData("foo---bar")]
    [InlineData("library/ubuntu")]
    [InlineData("a_b/c.d/e-f/g__h")]
    [InlineData("0")]
    public void ValidNames(string name)
    {
        Assert.True(RepositoryName.IsValid(name));
        RepositoryName.Validate(name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("aB")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("/a")]
    [InlineData("a_-b")]
    [InlineData("a..b")]
    [InlineData("a___b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("a\n")]
    [InlineData("a/b\n")]
    public void InvalidNames(string name)
    {
        Assert.False(RepositoryName.IsValid(name));
        var ex = Assert.Throws<OciException>(() => RepositoryName.Validate(name));
        Assert.Equal(OciErrorCode.NameInvalid, ex.Error);
    }

    [Fact]
    public void NullIsInvalid()
    {
        Assert.False(RepositoryName.IsValid(null));
    }

    [Fact]
    public void LengthLimitIs255()
    {
        var name255 = new string('a', 120) + "/" + new string('b', 134);
        Assert.Equal(255, name255.Length);
        Assert.True(RepositoryName.IsValid(name255));
        Assert.False(RepositoryName.IsValid(name255 + "c"));
        Assert.False(RepositoryName.IsValid(new string('a', 256)));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("v1.0_rc-1")]
    [InlineData("_private")]
    [InlineData("V1")]
    [InlineData("1.2.3")]
    public void ValidTags(string tag)
    {
        Assert.True(RepositoryName.IsValidTag(tag));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData(".x")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("latest\n")]
    public void InvalidTags(string? tag)
    {
        Assert.False(RepositoryName.IsValidTag(tag));
    }

    [Fact]
    public void TagLengthLimitIs128()
    {
        Assert.True(RepositoryName.IsValidTag(new string('t', 128)));
        Assert.False(RepositoryName.IsValidTag(new string('t', 129)));
    }
}
