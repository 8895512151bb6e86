using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class RpmVersionTests
{
    // Cases from rpm's own rpmvercmp test table (tests/rpmvercmp.at) plus epoch/release ones.
    [Theory]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0", "1.0^git1", -1)]
    [InlineData("1.0^git1", "1.0.1", -1)]
    [InlineData("1.0^git1", "1.01", -1)]
    [InlineData("1.0^20160101^git1", "1.0^20160101", 1)]
    [InlineData("1.0~rc1^git1", "1.0~rc1", 1)]
    [InlineData("1.0^git1~pre", "1.0^git1", -1)]
    [InlineData("1.0~rc1~git123", "1.0~rc1", -1)]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("2.0.1a", "2.0.1", 1)]
    [InlineData("5.5p1", "5.5p2", -1)]
    [InlineData("5.5p10", "5.5p1", 1)]
    [InlineData("10xyz", "10.1xyz", -1)]
    [InlineData("xyz.4", "8", -1)]
    [InlineData("6.0.rc1", "6.0", 1)]
    [InlineData("10b2", "10a1", 1)]
    [InlineData("2a", "2.0", -1)]
    [InlineData("1.0", "1.0.0", -1)]
    [InlineData("1.0.", "1.0", 0)]
    [InlineData("1:1.0", "2.0", 1)]
    [InlineData("0:1.0-1", "1.0-1", 0)]
    [InlineData("1.0-1.el9", "1.0-1.el9_1", -1)]
    [InlineData("1.0-10.el9", "1.0-9.el9", 1)]
    public void OrdersLikeRpmvercmp(string a, string b, int expected) => Ordering.Check(RpmVersion.Instance, a, b, expected);

    [Theory]
    [InlineData("")]
    [InlineData("a:1.0")]
    [InlineData("1.0-")]
    public void RejectsMalformed(string version) => Ordering.Invalid(RpmVersion.Instance, version);
}
