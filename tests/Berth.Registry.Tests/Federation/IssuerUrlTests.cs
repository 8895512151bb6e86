using Berth.Registry.Federation;

namespace Berth.Registry.Tests.Federation;

public sealed class IssuerUrlTests
{
    [Theory]
    [InlineData("https://token.actions.githubusercontent.com", false, true)]
    [InlineData("https://gitlab.example.com/", false, true)]
    [InlineData("http://issuer.example", true, false)]
    [InlineData("http://10.0.0.1:8080", true, false)]
    [InlineData("http://127.0.0.1:8080", false, false)]
    [InlineData("http://127.0.0.1:8080", true, true)]
    [InlineData("http://127.1.2.3", true, true)]
    [InlineData("http://localhost:8080", true, true)]
    [InlineData("http://[::1]:8080", true, true)]
    [InlineData("http://localhost.evil.example", true, false)]
    [InlineData("ftp://issuer.example", true, false)]
    [InlineData("https://user:pass@issuer.example", false, false)]
    [InlineData("https://issuer.example/?x=1", false, false)]
    [InlineData("issuer.example", false, false)]
    public void OnlyHttpsOrAllowedLoopbackHttp(string url, bool allowHttpLoopback, bool allowed) =>
        Assert.Equal(allowed, IssuerUrl.Check(url, allowHttpLoopback) is null);
}
