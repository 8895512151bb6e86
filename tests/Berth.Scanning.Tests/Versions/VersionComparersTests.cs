using Berth.Scanning.Versions;

namespace Berth.Scanning.Tests.Versions;

public class VersionComparersTests
{
    [Theory]
    [InlineData("Debian:12", "dpkg")]
    [InlineData("Debian", "dpkg")]
    [InlineData("Ubuntu:22.04", "dpkg")]
    [InlineData("Ubuntu:22.04:LTS", "dpkg")]
    [InlineData("Alpine:v3.19", "apk")]
    [InlineData("Red Hat", "rpm")]
    [InlineData("Red Hat:enterprise_linux:9::appstream", "rpm")]
    [InlineData("Rocky Linux:9", "rpm")]
    [InlineData("AlmaLinux:9", "rpm")]
    [InlineData("Fedora", "rpm")]
    [InlineData("Amazon Linux:2023", "rpm")]
    [InlineData("npm", "semver")]
    [InlineData("Go", "semver")]
    [InlineData("crates.io", "semver")]
    [InlineData("NuGet", "nuget")]
    [InlineData("PyPI", "pep440")]
    [InlineData("Maven", "maven")]
    public void MapsOsvEcosystems(string ecosystem, string comparer) => Assert.Equal(comparer, VersionComparers.For(ecosystem)?.Name);

    [Fact]
    public void UnknownEcosystemHasNoComparer() => Assert.Null(VersionComparers.For("CRAN"));
}
