using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class MavenVersionTests
{
    // Consecutive entries of Maven's ComparableVersionTest qualifier and number sequences, plus the aliases.
    [Theory]
    [InlineData("1-alpha2", "1-alpha-123", -1)]
    [InlineData("1-alpha-123", "1-beta-2", -1)]
    [InlineData("1-beta-2", "1-beta123", -1)]
    [InlineData("1-beta123", "1-m2", -1)]
    [InlineData("1-m2", "1-m11", -1)]
    [InlineData("1-m11", "1-rc", -1)]
    [InlineData("1-rc", "1-cr2", -1)]
    [InlineData("1-cr2", "1-rc123", -1)]
    [InlineData("1-rc123", "1-SNAPSHOT", -1)]
    [InlineData("1-SNAPSHOT", "1", -1)]
    [InlineData("1", "1-sp", -1)]
    [InlineData("1-sp", "1-sp2", -1)]
    [InlineData("1-sp123", "1-abc", -1)]
    [InlineData("1-abc", "1-def", -1)]
    [InlineData("1-def", "1-pom-1", -1)]
    [InlineData("1-pom-1", "1-1-snapshot", -1)]
    [InlineData("1-1-snapshot", "1-1", -1)]
    [InlineData("1-2", "1-123", -1)]
    [InlineData("2.0", "2-1", -1)]
    [InlineData("2-1", "2.0.2", -1)]
    [InlineData("2.0.123", "2.1.0", -1)]
    [InlineData("2.1-1", "2.1.0.1", -1)]
    [InlineData("2.2", "2.123", -1)]
    [InlineData("1.0-alpha-1", "1.0", -1)]
    [InlineData("1.0.RELEASE", "1.0", 0)]
    [InlineData("1.0.Final", "1.0", 0)]
    [InlineData("1-ga", "1.0.0", 0)]
    [InlineData("1a1", "1-alpha-1", 0)]
    [InlineData("1.0-rc1", "1.0-cr1", 0)]
    [InlineData("5.3.0.RELEASE", "5.3.1", -1)]
    [InlineData("2.12.7.1", "2.12.7", 1)]
    public void OrdersLikeComparableVersion(string a, string b, int expected) => Ordering.Check(MavenVersion.Instance, a, b, expected);

    [Fact]
    public void RejectsEmpty() => Ordering.Invalid(MavenVersion.Instance, "");
}
