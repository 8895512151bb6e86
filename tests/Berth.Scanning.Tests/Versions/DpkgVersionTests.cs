using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class DpkgVersionTests
{
    // Expected values produced by `dpkg --compare-versions` (dpkg 1.21) on Debian 12.
    [Theory]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1:0.9", "2.0", 1)]
    [InlineData("1.0-1", "1.0-1ubuntu1", -1)]
    [InlineData("2.30-0+deb12u1", "2.30-0", 1)]
    [InlineData("2.36-9+deb12u4", "2.36-9+deb12u10", -1)]
    [InlineData("1.0", "1.0-0", 0)]
    [InlineData("1.0~~", "1.0~", -1)]
    [InlineData("1.0~", "1.0", -1)]
    [InlineData("1.0a", "1.0+", -1)]
    [InlineData("1.0+", "1.0.", -1)]
    [InlineData("1.0", "1.00", 0)]
    [InlineData("1.2.3", "1.2.10", -1)]
    [InlineData("0:1.0", "1.0", 0)]
    [InlineData("1.0-1", "1.0-1~bpo1", 1)]
    [InlineData("3.0.11-1~deb12u2", "3.0.11-1", -1)]
    [InlineData("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1)]
    [InlineData("1:2.3", "1:2.3-1", -1)]
    [InlineData("2.0", "10.0", -1)]
    [InlineData("1.0a", "1.0b", -1)]
    [InlineData("1.0.0", "1.0", 1)]
    [InlineData("1.0-2", "1.0-10", -1)]
    [InlineData("1.1.1w-0+deb11u1", "1.1.1n-0+deb11u5", 1)]
    [InlineData("252.22-1~deb12u1", "252.30-1~deb12u2", -1)]
    [InlineData("2:8.2.3995-1ubuntu2.15", "2:8.2.3995-1ubuntu2.4", 1)]
    [InlineData("a1.0", "1.0", 1)]          // dpkg warns ("does not start with digit") but compares
    [InlineData("1.0_1", "1.0.1", 1)]       // likewise for characters outside the allowed set
    [InlineData("1.0_1", "1.0+1", 1)]
    public void OrdersLikeDpkg(string a, string b, int expected) => Ordering.Check(DpkgVersion.Instance, a, b, expected);

    [Theory]
    [InlineData("")]
    [InlineData("1:")]
    [InlineData("x:1.0")]
    [InlineData("1.0-")]
    [InlineData("1.0 beta")]
    public void RejectsMalformed(string version) => Ordering.Invalid(DpkgVersion.Instance, version);
}
