using Berth.Registry.Distribution;

namespace Berth.Registry.Tests.Distribution;

/// <summary>
/// How a path below /v2 is split into resource, repository name and reference. Names contain '/', and may contain a
/// component called like a resource, so the resource is recognised from the end of the path.
/// </summary>
public sealed class V2RouteTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    public void TheRootIsTheBase(string? path)
    {
        Assert.Equal(new V2Route(V2RouteKind.Base, "", ""), V2Route.Parse(path));
    }

    [Fact]
    public void TheCatalogIsRecognised()
    {
        Assert.Equal(new V2Route(V2RouteKind.Catalog, "", ""), V2Route.Parse("/_catalog"));
    }

    [Theory]
    [InlineData("/shop/api/tags/list", V2RouteKind.Tags, "shop/api", "")]
    [InlineData("/shop/team/api/tags/list", V2RouteKind.Tags, "shop/team/api", "")]
    [InlineData("/shop/team/api/manifests/latest", V2RouteKind.Manifest, "shop/team/api", "latest")]
    [InlineData("/shop/a/b/c/d/manifests/sha256:abc", V2RouteKind.Manifest, "shop/a/b/c/d", "sha256:abc")]
    [InlineData("/shop/team/api/blobs/sha256:abc", V2RouteKind.Blob, "shop/team/api", "sha256:abc")]
    [InlineData("/shop/team/api/blobs/uploads/", V2RouteKind.UploadStart, "shop/team/api", "")]
    [InlineData("/shop/team/api/blobs/uploads", V2RouteKind.UploadStart, "shop/team/api", "")]
    [InlineData("/shop/team/api/blobs/uploads/0b7c-upload", V2RouteKind.Upload, "shop/team/api", "0b7c-upload")]
    [InlineData("/shop/team/api/referrers/sha256:abc", V2RouteKind.Referrers, "shop/team/api", "sha256:abc")]
    [InlineData("/a/manifests/latest", V2RouteKind.Manifest, "a", "latest")]
    public void ResourcesOfNamesWithSeveralSegments(string path, V2RouteKind kind, string name, string reference)
    {
        Assert.Equal(new V2Route(kind, name, reference), V2Route.Parse(path));
    }

    [Theory]
    [InlineData("/a/manifests/b/manifests/latest", V2RouteKind.Manifest, "a/manifests/b", "latest")]
    [InlineData("/a/blobs/b/blobs/sha256:abc", V2RouteKind.Blob, "a/blobs/b", "sha256:abc")]
    [InlineData("/a/blobs/uploads/b/blobs/uploads/id", V2RouteKind.Upload, "a/blobs/uploads/b", "id")]
    [InlineData("/a/blobs/uploads/b/blobs/uploads/", V2RouteKind.UploadStart, "a/blobs/uploads/b", "")]
    [InlineData("/a/tags/list/tags/list", V2RouteKind.Tags, "a/tags/list", "")]
    [InlineData("/a/referrers/b/referrers/sha256:abc", V2RouteKind.Referrers, "a/referrers/b", "sha256:abc")]
    [InlineData("/shop/manifests/tags/list", V2RouteKind.Tags, "shop/manifests", "")]
    [InlineData("/shop/tags/list/manifests/v1", V2RouteKind.Manifest, "shop/tags/list", "v1")]
    [InlineData("/shop/blobs/manifests/v1", V2RouteKind.Manifest, "shop/blobs", "v1")]
    [InlineData("/shop/manifests/blobs/sha256:abc", V2RouteKind.Blob, "shop/manifests", "sha256:abc")]
    public void RepositoriesNamedLikeAResourceAreSplitAtTheLastOne(string path, V2RouteKind kind, string name, string reference)
    {
        Assert.Equal(new V2Route(kind, name, reference), V2Route.Parse(path));
    }

    [Theory]
    [InlineData("_catalog")]
    [InlineData("shop/api/manifests/latest")]
    [InlineData("/a")]
    [InlineData("/shop/api")]
    [InlineData("/_catalog/x")]
    [InlineData("/manifests/latest")]
    [InlineData("/blobs/sha256:abc")]
    [InlineData("/blobs/uploads/")]
    [InlineData("/blobs/uploads/id")]
    [InlineData("/referrers/sha256:abc")]
    [InlineData("/tags/list")]
    [InlineData("/shop/api/manifests/")]
    [InlineData("/shop/api/manifests")]
    [InlineData("/shop/api/blobs/")]
    [InlineData("/shop/api/manifests/latest/")]
    [InlineData("/shop/api/manifests/a/b")]
    [InlineData("/shop/api/tags/list/")]
    [InlineData("/shop/api/tags/latest")]
    [InlineData("/shop/api/unknown/latest")]
    public void OtherPathsAreNotFound(string path)
    {
        Assert.Equal(V2RouteKind.NotFound, V2Route.Parse(path).Kind);
    }

    [Theory]
    [InlineData("/Shop/API/manifests/latest", "Shop/API")]
    [InlineData("/shop//api/manifests/latest", "shop//api")]
    [InlineData("//shop/manifests/latest", "/shop")]
    [InlineData("/-shop/api/manifests/latest", "-shop/api")]
    public void NamesAreSplitNotValidated(string path, string name)
    {
        // The grammar is checked once the registry is resolved (RegistryAddressing), so that an invalid name is
        // answered NAME_INVALID instead of a 404.
        var route = V2Route.Parse(path);
        Assert.Equal(V2RouteKind.Manifest, route.Kind);
        Assert.Equal(name, route.Name);
        Assert.Equal("latest", route.Reference);
    }

    [Fact]
    public void LongNamesAreSplitWhole()
    {
        var name = "shop/" + string.Join('/', Enumerable.Repeat("segment", 40));
        Assert.Equal(new V2Route(V2RouteKind.Manifest, name, "v1"), V2Route.Parse("/" + name + "/manifests/v1"));
    }
}
