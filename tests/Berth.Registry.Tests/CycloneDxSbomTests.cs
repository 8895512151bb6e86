using Berth.Api;
using Berth.Registry.Scanning;

namespace Berth.Registry.Tests;

/// <summary>Package URLs and the CycloneDX document built from a scan report (pure logic, no server).</summary>
public sealed class CycloneDxSbomTests
{
    private static readonly OsView Debian = new("debian", "12", "Debian", "12");
    private static readonly OsView Rocky = new("rocky", "9.3", "Rocky Linux", "9");
    private static readonly OsView Alpine = new("alpine", "3.19.1", "Alpine", "v3.19");

    [Theory]
    [InlineData("Debian", "libssl3", "3.0.11-1~deb12u1", "debian", "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12")]
    [InlineData("Debian", "zlib1g", "1:1.2.13.dfsg-1", "debian", "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?distro=debian-12")]
    [InlineData("Alpine", "libcrypto3", "3.1.4-r0", "alpine", "pkg:apk/alpine/libcrypto3@3.1.4-r0?distro=alpine-3.19.1")]
    [InlineData("Rocky Linux", "openssl-libs", "1:3.0.7-24.el9", "rocky", "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?epoch=1&distro=rocky-9.3")]
    [InlineData("Rocky Linux", "bash", "5.1.8-6.el9_1", "rocky", "pkg:rpm/rocky/bash@5.1.8-6.el9_1?distro=rocky-9.3")]
    [InlineData("npm", "@types/node", "20.11.0", null, "pkg:npm/%40types/node@20.11.0")]
    [InlineData("npm", "lodash", "4.17.20", null, "pkg:npm/lodash@4.17.20")]
    [InlineData("NuGet", "System.Text.Json", "8.0.0", null, "pkg:nuget/System.Text.Json@8.0.0")]
    [InlineData("PyPI", "Django_Allauth", "0.61.1", null, "pkg:pypi/django-allauth@0.61.1")]
    [InlineData("Go", "github.com/gorilla/mux", "v1.8.1", null, "pkg:golang/github.com/gorilla/mux@v1.8.1")]
    [InlineData("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", null, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")]
    [InlineData("Maven", "not-coordinates", "1.0", null, null)]
    [InlineData("crates.io", "serde", "1.0.0", null, null)]
    public void PackageUrls(string ecosystem, string name, string version, string? os, string? expected)
    {
        var release = os switch { "debian" => Debian, "rocky" => Rocky, "alpine" => Alpine, _ => null };
        Assert.Equal(expected, CycloneDxSbom.Purl(new PackageView(ecosystem, name, version, null, "x"), release));
    }

    [Fact]
    public void TheDocumentDescribesTheImageItsOsAndOneComponentPerPackage()
    {
        var report = new ScanReport(ScanReport.CurrentInventoryVersion, Debian,
        [
            new PackageView("Debian", "libc6", "2.36-9", "glibc", "var/lib/dpkg/status"),
            new PackageView("npm", "lodash", "4.17.20", null, "srv/a/package-lock.json"),
            new PackageView("npm", "lodash", "4.17.20", null, "srv/a/node_modules/lodash/package.json"),
        ], []);

        var sbom = CycloneDxSbom.Create("shop/web", "sha256:abc", report, new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal(("CycloneDX", "1.5"), ((string?)sbom["bomFormat"], (string?)sbom["specVersion"]));
        Assert.StartsWith("urn:uuid:", (string?)sbom["serialNumber"], StringComparison.Ordinal);
        Assert.Equal("2026-12-01T08:00:00Z", (string?)sbom["metadata"]!["timestamp"]);
        Assert.Equal(("container", "shop/web", "sha256:abc"),
            ((string?)sbom["metadata"]!["component"]!["type"], (string?)sbom["metadata"]!["component"]!["name"], (string?)sbom["metadata"]!["component"]!["version"]));
        var components = sbom["components"]!.AsArray();
        Assert.Equal(["operating-system", "library", "library"], components.Select(c => (string?)c!["type"]));
        Assert.Equal(["debian", "libc6", "lodash"], components.Select(c => (string?)c!["name"]));
        var lodash = components[2]!;
        Assert.Equal("pkg:npm/lodash@4.17.20", (string?)lodash["purl"]);
        Assert.Equal(["srv/a/package-lock.json", "srv/a/node_modules/lodash/package.json"],
            lodash["properties"]!.AsArray().Where(p => (string?)p!["name"] == "berth:location").Select(p => (string?)p!["value"]));
    }
}
