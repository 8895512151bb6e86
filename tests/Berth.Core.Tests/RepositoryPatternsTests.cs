using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class RepositoryPatternsTests
{
    [Theory]
    [InlineData("api/*", "api/web", true)]
    [InlineData("api/*", "api/web/v2", false)]
    [InlineData("api/*", "api", false)]
    [InlineData("api/*", "apix/web", false)]
    [InlineData("api/**", "api", true)]
    [InlineData("api/**", "api/web/v2", true)]
    [InlineData("api/**", "apix", false)]
    [InlineData("**/web", "web", true)]
    [InlineData("**/web", "a/b/web", true)]
    [InlineData("**/web", "a/webx", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/x/y/c", false)]
    [InlineData("web-*", "web-prod", true)]
    [InlineData("web-*", "web-prod/x", false)]
    [InlineData("*-prod", "web-prod", true)]
    [InlineData("app", "app", true)]
    [InlineData("app", "app/x", false)]
    [InlineData("a.b", "axb", false)]
    public void MatchesByComponent(string pattern, string repository, bool expected)
    {
        Assert.True(RepositoryPatterns.TryParse([pattern], out var parsed, out var error), error);
        Assert.NotNull(parsed);
        Assert.Equal(expected, parsed.Matches(repository));
    }

    [Fact]
    public void AnyPatternMatches()
    {
        Assert.True(RepositoryPatterns.TryParse(["api/*", "tools/cli"], out var parsed, out _));
        Assert.True(parsed!.Matches("api/web"));
        Assert.True(parsed.Matches("tools/cli"));
        Assert.False(parsed.Matches("tools/other"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("**")]
    [InlineData("api/*,**")]
    public void NoneOrEverythingIsNoLimit(string? patterns)
    {
        Assert.True(RepositoryPatterns.TryParse(patterns?.Split(',', StringSplitOptions.RemoveEmptyEntries), out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("API/*")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a***")]
    [InlineData("a**b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("a?")]
    [InlineData("[ab]")]
    public void RefusesWhatIsNoPattern(string pattern)
    {
        Assert.False(RepositoryPatterns.TryParse([pattern], out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(pattern, error);
    }

    [Fact]
    public void RefusesTooMany() =>
        Assert.False(RepositoryPatterns.TryParse([.. Enumerable.Range(0, RepositoryPatterns.MaxPatterns + 1).Select(i => $"r{i}")], out _, out _));

    [Theory]
    [InlineData("api/*", "api/")]
    [InlineData("api/*,api/x/**", "api/")]
    [InlineData("api/web,apps", "ap")]
    [InlineData("*-prod", "")]
    public void LiteralPrefixIsSharedByEveryMatch(string patterns, string prefix)
    {
        Assert.True(RepositoryPatterns.TryParse(patterns.Split(','), out var parsed, out _));
        Assert.Equal(prefix, parsed!.LiteralPrefix);
    }
}
