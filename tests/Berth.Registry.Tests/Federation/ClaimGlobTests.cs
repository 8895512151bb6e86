using Berth.Registry.Federation;

namespace Berth.Registry.Tests.Federation;

public sealed class ClaimGlobTests
{
    [Theory]
    [InlineData("acme/app", "acme/app", true)]
    [InlineData("acme/app", "acme/app2", false)]
    [InlineData("acme/app", "Acme/app", false)]
    [InlineData("acme/*", "acme/app", true)]
    [InlineData("acme/*", "acme/app/sub", true)]
    [InlineData("acme/*", "other/app", false)]
    [InlineData("repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main", true)]
    [InlineData("repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/feature", false)]
    [InlineData("*", "", true)]
    [InlineData("refs/tags/v*", "refs/tags/v1.2.3", true)]
    [InlineData("refs/tags/v*", "refs/heads/v1", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("?", "x", false)]
    public void MatchesExactlyOrWithStars(string pattern, string value, bool matches) =>
        Assert.Equal(matches, ClaimGlob.Matches(pattern, value));

    [Fact]
    public void ManyStarsStayFast()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(ClaimGlob.Matches(string.Concat(Enumerable.Repeat("a*", 200)) + "b", new string('a', 5000)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }
}
