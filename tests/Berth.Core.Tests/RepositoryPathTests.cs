using Berth.Core.Distribution;

namespace Berth.Core.Tests;

/// <summary>The one splitter of paths that start with a repository name, recognising what they address from the end.</summary>
public sealed class RepositoryPathTests
{
    [Theory]
    [InlineData("shop/api/tags/list", "/tags/list", true, "shop/api")]
    [InlineData("a/tags/list/tags/list", "/tags/list", true, "a/tags/list")]
    [InlineData("/tags/list", "/tags/list", false, "")]
    [InlineData("tags/list", "/tags/list", false, "")]
    [InlineData("shop/api/tags/list/", "/tags/list", false, "")]
    [InlineData("shop/apitags", "/tags", false, "")]
    public void TrimSuffixNeedsARepositoryBeforeTheSuffix(string path, string suffix, bool matches, string repository)
    {
        Assert.Equal(matches, RepositoryPath.TryTrimSuffix(path, suffix, out var actual));
        Assert.Equal(repository, actual);
    }

    [Theory]
    [InlineData("shop/team/api/manifests/latest", "shop/team/api", "latest")]
    [InlineData("a/manifests/b/manifests/sha256:abc", "a/manifests/b", "sha256:abc")]
    [InlineData("a/manifests/manifests/x", "a/manifests", "x")]
    [InlineData("a/manifests/manifests", "a", "manifests")]
    public void SplitLastSegmentTakesTheLastMarker(string path, string repository, string segment)
    {
        Assert.True(RepositoryPath.TrySplitLastSegment(path, "/manifests/", out var actualRepository, out var actualSegment));
        Assert.Equal(repository, actualRepository);
        Assert.Equal(segment, actualSegment);
    }

    [Theory]
    [InlineData("/manifests/latest")]
    [InlineData("manifests/latest")]
    [InlineData("a/manifests/")]
    [InlineData("a/manifests/b/c")]
    [InlineData("a/manifests")]
    [InlineData("")]
    public void SplitLastSegmentNeedsARepositoryAndOneFinalSegment(string path)
    {
        Assert.False(RepositoryPath.TrySplitLastSegment(path, "/manifests/", out var repository, out var segment));
        Assert.Equal("", repository);
        Assert.Equal("", segment);
    }

    [Theory]
    [InlineData("shop/api", true, "shop", "api")]
    [InlineData("shop/team/api", true, "shop", "team/api")]
    [InlineData("shop/", true, "shop", "")]
    [InlineData("shop", false, "", "")]
    [InlineData("/shop/api", false, "", "")]
    [InlineData("", false, "", "")]
    public void SplitFirstComponentNeedsANonEmptyFirstComponent(string name, bool matches, string first, string rest)
    {
        Assert.Equal(matches, RepositoryPath.TrySplitFirstComponent(name, out var actualFirst, out var actualRest));
        Assert.Equal(first, actualFirst);
        Assert.Equal(rest, actualRest);
    }
}
