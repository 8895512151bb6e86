using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class ApkVersionTests
{
    // Orderings of apk-tools' version.c (as `apk version -t` reports them).
    [Theory]
    [InlineData("1.2.3_rc1", "1.2.3", -1)]
    [InlineData("1.2.3", "1.2.3_p1", -1)]
    [InlineData("1.2.3-r1", "1.2.3-r10", -1)]
    [InlineData("1.2.3", "1.2.3-r0", -1)]
    [InlineData("1.0_alpha", "1.0_beta", -1)]
    [InlineData("1.0_beta", "1.0_pre", -1)]
    [InlineData("1.0_pre", "1.0_rc", -1)]
    [InlineData("1.0_rc", "1.0_rc1", -1)]
    [InlineData("1.0_cvs", "1.0_svn", -1)]
    [InlineData("1.0_git", "1.0_hg", -1)]
    [InlineData("1.0_hg", "1.0_p", -1)]
    [InlineData("1.2", "1.2a", -1)]
    [InlineData("1.2a", "1.2b", -1)]
    [InlineData("1.2a", "1.2.1", -1)]
    [InlineData("1.0", "1.0.1", -1)]
    [InlineData("1.0.0", "1.0", 1)]
    [InlineData("1.01", "1.1", -1)]
    [InlineData("3.0.8-r0", "3.0.10-r0", -1)]
    [InlineData("1.2.3_p1", "1.2.4_rc1", -1)]
    [InlineData("1.2.3_rc1-r5", "1.2.3-r0", -1)]
    [InlineData("1.2.3_p1-r0", "1.2.3-r5", 1)]
    [InlineData("2.4.49_git20210101-r0", "2.4.49-r0", 1)]
    [InlineData("1.36.1-r5", "1.36.1-r5", 0)]
    public void OrdersLikeApk(string a, string b, int expected) => Ordering.Check(ApkVersion.Instance, a, b, expected);

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3-foo")]
    [InlineData("1.2_foo")]
    [InlineData("1.2-r1.3")]
    public void RejectsMalformed(string version) => Ordering.Invalid(ApkVersion.Instance, version);
}
