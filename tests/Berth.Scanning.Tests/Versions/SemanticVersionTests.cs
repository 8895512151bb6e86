using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class SemanticVersionTests
{
    // semver.org §11 examples and edge cases.
    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1", -1)]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta", -1)]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta", -1)]
    [InlineData("1.0.0-beta", "1.0.0-beta.2", -1)]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11", -1)]
    [InlineData("1.0.0-beta.11", "1.0.0-rc.1", -1)]
    [InlineData("1.0.0-rc.1", "1.0.0", -1)]
    [InlineData("1.0.0", "2.0.0", -1)]
    [InlineData("2.0.0", "2.1.0", -1)]
    [InlineData("2.1.0", "2.1.1", -1)]
    [InlineData("1.9.0", "1.10.0", -1)]
    [InlineData("1.0.0+build.5", "1.0.0", 0)]
    [InlineData("1.0.0-rc.1+a", "1.0.0-rc.1+b", 0)]
    [InlineData("v1.2.3", "1.2.3", 0)]
    [InlineData("1.0.0-2", "1.0.0-10", -1)]
    [InlineData("1.0.0-1", "1.0.0-alpha", -1)]
    [InlineData("1.0.0-Alpha", "1.0.0-alpha", -1)]
    [InlineData("v0.0.0-20210101000000-abcdef123456", "v0.1.0", -1)]
    [InlineData("99999999999999999999.0.0", "9.0.0", 1)]
    public void OrdersBySemverPrecedence(string a, string b, int expected) => Ordering.Check(SemanticVersion.Instance, a, b, expected);

    [Theory]
    [InlineData("1.2")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-01")]
    [InlineData("1.2.3-")]
    [InlineData("1.2.3-a..b")]
    [InlineData("x")]
    public void RejectsMalformed(string version) => Ordering.Invalid(SemanticVersion.Instance, version);
}
