using Berth.Core.Distribution;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Berth.Registry.Tests.Distribution;

/// <summary>Which registry and repository a /v2 name addresses, path-based and host-based.</summary>
public sealed class RegistryAddressingTests
{
    private static readonly RegistryAddressing PathBased = new(Options.Create(new BerthOptions()));
    private static readonly RegistryAddressing HostBased = new(Options.Create(new BerthOptions { DomainSuffix = " .Registry.Example " }));

    [Theory]
    [InlineData("shop/api", "shop", "api")]
    [InlineData("shop/team/api", "shop", "team/api")]
    [InlineData("shop/a/b/c/d", "shop", "a/b/c/d")]
    [InlineData("shop/manifests/latest", "shop", "manifests/latest")]
    [InlineData("my-shop/team.x/api__v2/web-app", "my-shop", "team.x/api__v2/web-app")]
    public void PathBasedNamesStartWithTheRegistry(string name, string registry, string repository)
    {
        Assert.False(PathBased.IsHostBased);
        Assert.Equal(new RepositoryTarget(registry, repository, name), PathBased.Resolve(Request("localhost"), name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Shop/api")]
    [InlineData("shop/API")]
    [InlineData("shop//api")]
    [InlineData("/shop/api")]
    [InlineData("shop/api/")]
    [InlineData("-shop/api")]
    [InlineData("shop/.api")]
    [InlineData("shop/api\n")]
    [InlineData("shop/a b")]
    public void NamesOutsideTheGrammarAreInvalid(string name)
    {
        AssertInvalid(() => PathBased.Resolve(Request("localhost"), name));
        AssertInvalid(() => HostBased.Resolve(Request("shop.registry.example"), name));
    }

    [Theory]
    [InlineData("shop")]
    [InlineData("ab/api")]
    [InlineData("shop-/api")]
    [InlineData("shop_x/api")]
    [InlineData("shop.x/api")]
    public void PathBasedNamesNeedAValidRegistryComponent(string name)
    {
        AssertInvalid(() => PathBased.Resolve(Request("localhost"), name));
    }

    [Fact]
    public void NamesAreLimitedTo255Characters()
    {
        var longest = "shop/" + new string('a', 250);
        Assert.Equal(255, longest.Length);
        Assert.Equal(new string('a', 250), PathBased.Resolve(Request("localhost"), longest).Repository);
        AssertInvalid(() => PathBased.Resolve(Request("localhost"), longest + "a"));
        AssertInvalid(() => PathBased.Resolve(Request("localhost"), "shop/" + string.Join('/', Enumerable.Repeat("abcdefg", 32))));
    }

    [Theory]
    [InlineData("shop.registry.example", "api")]
    [InlineData("SHOP.Registry.Example", "team/api")]
    [InlineData("shop.registry.example", "shop/team/api")]
    public void HostBasedNamesAreWholeRepositories(string host, string name)
    {
        Assert.True(HostBased.IsHostBased);
        Assert.Equal(new RepositoryTarget("shop", name, name), HostBased.Resolve(Request(host), name));
    }

    [Theory]
    [InlineData("registry.example")]
    [InlineData("shop.other.example")]
    [InlineData("ab.registry.example")]
    [InlineData("a.b.registry.example")]
    [InlineData("shopregistry.example")]
    public void HostBasedRequestsNeedARegistryHost(string host)
    {
        var ex = Assert.Throws<OciException>(() => HostBased.Resolve(Request(host), "api"));
        Assert.Equal(OciErrorCode.NameUnknown, ex.Error);
        Assert.Null(HostBased.RegistryFromHost(Request(host)));
    }

    [Fact]
    public void PathBasedHasNoRegistryInTheHost()
    {
        Assert.Null(PathBased.RegistryFromHost(Request("shop.registry.example")));
    }

    [Theory]
    [InlineData("shop/api", "shop")]
    [InlineData("shop/team/api", "shop")]
    [InlineData("Shop/API", "Shop")]
    [InlineData("shop", null)]
    [InlineData("/shop/api", null)]
    [InlineData("", null)]
    public void ScopeNamesBelongToTheirFirstComponentPathBased(string scopeName, string? registry)
    {
        Assert.Equal(registry, PathBased.RegistryOfScopeName(Request("localhost"), scopeName));
    }

    [Theory]
    [InlineData("shop.registry.example", "other/api", "shop")]
    [InlineData("shop.registry.example", "api", "shop")]
    [InlineData("localhost", "shop/api", null)]
    public void ScopeNamesBelongToTheHostHostBased(string host, string scopeName, string? registry)
    {
        Assert.Equal(registry, HostBased.RegistryOfScopeName(Request(host), scopeName));
    }

    [Theory]
    [InlineData("shop/api", "api", "shop/api")]
    [InlineData("shop/team/api", "team/api", "shop/team/api")]
    public void ScopeNamesStandForARepositoryInsideTheRegistry(string scopeName, string pathBased, string hostBased)
    {
        // Repository limits of an access token are written without the registry; path-based names carry it first.
        Assert.Equal(pathBased, PathBased.RepositoryOfScopeName(scopeName));
        Assert.Equal(hostBased, HostBased.RepositoryOfScopeName(scopeName));
    }

    [Fact]
    public void EndpointsAndLoginHosts()
    {
        var request = Request("localhost:5000");
        Assert.Equal("localhost:5000/shop", PathBased.Endpoint("shop", request));
        Assert.Equal("localhost:5000", PathBased.LoginHost("shop", request));
        Assert.Equal("shop.registry.example", HostBased.Endpoint("shop", request));
        Assert.Equal("shop.registry.example", HostBased.LoginHost("shop", request));

        var behindProxy = new RegistryAddressing(Options.Create(new BerthOptions { PublicHost = " registry.example.com " }));
        Assert.Equal("registry.example.com/shop", behindProxy.Endpoint("shop", request));
        Assert.Equal("registry.example.com", behindProxy.LoginHost("shop", request));
    }

    private static HttpRequest Request(string host)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        return context.Request;
    }

    private static void AssertInvalid(Action resolve)
    {
        var ex = Assert.Throws<OciException>(resolve);
        Assert.Equal(OciErrorCode.NameInvalid, ex.Error);
    }
}
