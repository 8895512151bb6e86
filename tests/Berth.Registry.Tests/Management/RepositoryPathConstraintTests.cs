using Berth.Registry.Management;
using Microsoft.AspNetCore.Routing;

namespace Berth.Registry.Tests.Management;

/// <summary>
/// Which management endpoint a repository catch-all path belongs to, judged from its end, and how it is split into
/// the repository and what follows.
/// </summary>
public sealed class RepositoryPathConstraintTests
{
    private static readonly string[] Kinds = ["tags", "artifacts", "manifest", "tag", "repository", "vulnerabilities", "scan", "sbom"];

    [Theory]
    [InlineData("shop/api", "repository")]
    [InlineData("team/a/b/c", "repository")]
    [InlineData("api", "repository")]
    [InlineData("team/api/tags", "tags", "repository")]
    [InlineData("team/api/artifacts", "artifacts", "repository")]
    [InlineData("team/api/manifests/sha256:abc", "manifest")]
    [InlineData("team/api/tags/v1.0", "tag")]
    [InlineData("team/api/manifests/sha256:abc/vulnerabilities", "vulnerabilities", "repository")]
    [InlineData("team/api/manifests/sha256:abc/scan", "scan", "repository")]
    [InlineData("team/api/manifests/latest/sbom", "sbom", "repository")]
    [InlineData("a/manifests/b/manifests/latest", "manifest")]
    [InlineData("a/tags/b/tags/v1", "tag")]
    [InlineData("a/tags/tags", "tags", "tag")]
    [InlineData("a/manifests/tags", "tags", "manifest")]
    [InlineData("a/tags/manifests/sha256:abc", "manifest")]
    [InlineData("a/manifests", "repository")]
    [InlineData("a/manifests/", "repository")]
    [InlineData("a/manifests/x/y", "repository")]
    [InlineData("manifests/sha256:abc", "repository")]
    [InlineData("/manifests/sha256:abc", "repository")]
    [InlineData("tags", "repository")]
    [InlineData("/tags", "repository")]
    [InlineData("a/vulnerabilities", "repository")]
    [InlineData("manifests/x/sbom", "repository")]
    [InlineData("a/manifests/x/y/scan", "repository")]
    public void EachPathMatchesExactlyItsKinds(string path, params string[] expected)
    {
        var matched = Kinds.Where(kind => Matches(kind, path)).ToArray();
        Assert.Equal(expected.Order(), matched.Order());
    }

    [Theory]
    [InlineData("Shop/API/tags", "tags")]
    [InlineData("a//b/manifests/x", "manifest")]
    [InlineData("-a/tags/v1", "tag")]
    public void NamesAreSplitNotValidated(string path, string kind)
    {
        // The endpoints look the repository up (or check the grammar) and answer 404, rather than failing routing.
        Assert.True(Matches(kind, path));
    }

    [Fact]
    public void EmptyOrMissingValuesMatchNothing()
    {
        foreach (var kind in Kinds)
        {
            Assert.False(Matches(kind, ""));
            Assert.False(new RepositoryPathConstraint(kind).Match(null, null, "path", new RouteValueDictionary(), RouteDirection.IncomingRequest));
            Assert.False(new RepositoryPathConstraint(kind).Match(null, null, "path", new RouteValueDictionary { ["path"] = null }, RouteDirection.IncomingRequest));
        }
    }

    [Fact]
    public void UnknownKindsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new RepositoryPathConstraint("blobs"));
    }

    [Theory]
    [InlineData("team/api/tags", "/tags", "team/api", "")]
    [InlineData("a/tags/tags", "/tags", "a/tags", "")]
    [InlineData("team/api/artifacts", "/artifacts", "team/api", "")]
    [InlineData("team/api/manifests/sha256:abc", "/manifests/", "team/api", "sha256:abc")]
    [InlineData("a/manifests/b/manifests/latest", "/manifests/", "a/manifests/b", "latest")]
    [InlineData("a/tags/b/tags/v1", "/tags/", "a/tags/b", "v1")]
    public void SplitSeparatesTheRepositoryFromTheRemainder(string path, string marker, string repository, string remainder)
    {
        Assert.Equal((repository, remainder), RepositoryPathConstraint.Split(path, marker));
    }

    [Theory]
    [InlineData("team/api", "/tags")]
    [InlineData("team/api/manifests/a/b", "/manifests/")]
    [InlineData("team/api/tags/", "/tags/")]
    public void SplitRefusesPathsTheConstraintWouldNotMatch(string path, string marker)
    {
        Assert.ThrowsAny<ArgumentException>(() => RepositoryPathConstraint.Split(path, marker));
    }

    [Theory]
    [InlineData("team/api/manifests/sha256:abc/vulnerabilities", "/vulnerabilities", "team/api", "sha256:abc")]
    [InlineData("a/manifests/b/manifests/latest/scan", "/scan", "a/manifests/b", "latest")]
    [InlineData("a/sbom/manifests/v1/sbom", "/sbom", "a/sbom", "v1")]
    public void SplitManifestResourceSeparatesRepositoryAndReference(string path, string suffix, string repository, string reference)
    {
        Assert.Equal((repository, reference), RepositoryPathConstraint.SplitManifestResource(path, suffix));
    }

    private static bool Matches(string kind, string path) =>
        new RepositoryPathConstraint(kind).Match(null, null, "path", new RouteValueDictionary { ["path"] = path }, RouteDirection.IncomingRequest);
}
