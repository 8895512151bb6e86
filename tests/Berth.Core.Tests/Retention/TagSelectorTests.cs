using Berth.Core.Retention;

namespace Berth.Core.Tests.Retention;

public sealed class TagSelectorTests
{
    [Theory]
    [InlineData("**", ".*", "^latest$", "any/repo", "v1", true)]
    [InlineData("**", ".*", "^latest$", "any/repo", "latest", false)]
    [InlineData("app", "^v", "-keep$", "app", "v1.2", true)]
    [InlineData("app", "^v", "-keep$", "app", "v1.2-keep", false)]
    [InlineData("app", "^v", "-keep$", "app", "dev-v1", false)]
    [InlineData("app", "^v", "-keep$", "app/sub", "v1", false)]
    [InlineData("team/*", null, null, "team/web", "anything", true)]
    [InlineData("team/*", null, null, "team/web/x", "anything", false)]
    [InlineData("**", "rc", null, "x", "v1-rc2", true)]
    public void SelectsByRepositoryGlobAndTagExpressions(string repositories, string? tagPattern, string? excludeTagPattern, string repository,
        string tag, bool expected)
    {
        Assert.True(TagSelector.TryParse(repositories, tagPattern, excludeTagPattern, out var selector, out var error), error);
        Assert.Equal(expected, selector.Matches(repository, tag));
    }

    [Theory]
    [InlineData(null, null, null, "repositories")]
    [InlineData("UPPER", null, null, "repositories")]
    [InlineData("**", "(", null, "tagPattern")]
    [InlineData("**", null, "[", "excludeTagPattern")]
    [InlineData("**", "(a)\\1", null, "tagPattern")]
    public void RefusesInvalidRulesNamingTheField(string? repositories, string? tagPattern, string? excludeTagPattern, string field)
    {
        Assert.False(TagSelector.TryParse(repositories, tagPattern, excludeTagPattern, out _, out var error));
        Assert.StartsWith(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesItselfForMessages()
    {
        Assert.True(TagSelector.TryParse("**", ".*", "^latest$", out var selector, out _));
        Assert.Equal("repositories \"**\", tagPattern \".*\", excludeTagPattern \"^latest$\"", selector.ToString());
    }
}
