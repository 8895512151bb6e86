using System.Net;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>The raw-HTTP helper's parsing on its own (no server).</summary>
public sealed class RegistryClientTests
{
    [Theory]
    [InlineData("</v2/reg/app/tags/list?n=2&last=t2>; rel=\"next\"", "/v2/reg/app/tags/list?n=2&last=t2")]
    [InlineData("<http://127.0.0.1:5000/v2/_catalog?last=b&n=2>;rel=next", "http://127.0.0.1:5000/v2/_catalog?last=b&n=2")]
    [InlineData("</v2/x/tags/list?n=1>; rel=\"prev\"", null)]
    public void NextLinkIsParsed(string header, string? expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Link", header);
        Assert.Equal(expected, RegistryClient.NextLink(response));
    }

    [Theory]
    [InlineData("/v2/", new string[0])]
    [InlineData("/v2/_catalog?n=2", new[] { "registry:catalog:*" })]
    [InlineData("/v2/reg/api/web/manifests/v1", new[] { "repository:reg/api/web:pull,push,delete" })]
    [InlineData("/v2/reg/app/blobs/uploads/abc?_state=x", new[] { "repository:reg/app:pull,push,delete" })]
    [InlineData("/v2/reg/b/blobs/uploads/?mount=sha256:00&from=reg/a", new[] { "repository:reg/b:pull,push,delete", "repository:reg/a:pull" })]
    [InlineData("/v2/reg/app/referrers/sha256:00", new[] { "repository:reg/app:pull,push,delete" })]
    public void ScopesAreDerivedFromThePath(string path, string[] expected) =>
        Assert.Equal(expected, RegistryClient.ScopesFor(new Uri(new Uri("http://127.0.0.1:1/"), path)));

    [Fact]
    public void LocationsResolveAgainstTheBaseUrl()
    {
        using var client = new RegistryClient(new Uri("http://127.0.0.1:5000/"), null, null, RegistryAuthMode.None);
        Assert.Equal("http://127.0.0.1:5000/v2/r/a/blobs/uploads/1", client.Resolve("/v2/r/a/blobs/uploads/1").ToString());
        Assert.Equal("http://127.0.0.1:5000/v2/r/a/blobs/uploads/1", client.Resolve("v2/r/a/blobs/uploads/1").ToString());
        Assert.Equal("http://other:1/x", client.Resolve("http://other:1/x").ToString());
        Assert.Equal("/u?a=1&digest=d", RegistryClient.WithQuery("/u?a=1", "digest=d"));
        Assert.Equal("/u?digest=d", RegistryClient.WithQuery("/u", "digest=d"));
    }
}
