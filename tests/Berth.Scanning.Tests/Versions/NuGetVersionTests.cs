using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class NuGetVersionTests
{
    // NuGet.Versioning's VersionComparer.Default behaviour.
    [Theory]
    [InlineData("1.0", "1.0.0", 0)]
    [InlineData("1.0.0", "1.0.0.0", 0)]
    [InlineData("1", "1.0.0", 0)]
    [InlineData("1.0.0.1", "1.0.0", 1)]
    [InlineData("1.2.3.4", "1.2.3.10", -1)]
    [InlineData("2.0", "1.9.9.9", 1)]
    [InlineData("1.0.0-beta", "1.0.0", -1)]
    [InlineData("1.0.0-BETA", "1.0.0-beta", 0)]
    [InlineData("1.0.0-Beta.X", "1.0.0-beta.x", 0)]
    [InlineData("1.0.0-alpha", "1.0.0-beta", -1)]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.10", -1)]
    [InlineData("1.0.0-beta.1", "1.0.0-beta.1.1", -1)]
    [InlineData("1.0.0-1", "1.0.0-a", -1)]
    [InlineData("1.0.0+abc", "1.0.0", 0)]
    [InlineData("4.0.0-rc.1", "4.0.0", -1)]
    [InlineData("13.0.1", "13.0.3", -1)]
    [InlineData("6.0.0-preview.7.21377.19", "6.0.0-rc.1.21451.13", -1)]
    public void OrdersLikeNuget(string a, string b, int expected) => Ordering.Check(NuGetVersion.Instance, a, b, expected);

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.x")]
    [InlineData("1.0.0-")]
    public void RejectsMalformed(string version) => Ordering.Invalid(NuGetVersion.Instance, version);
}
