using Berth.Scanning.Advisories;

namespace Berth.Scanning.Tests.Advisories;

public class AdvisoryMatcherTests
{
    private static readonly AdvisoryMatcher Matcher = new(OsvParser.Parse(Fixtures.All));

    private static Package Deb(string name, string version, string source, string release = "12") =>
        new("Debian", name, version, release, source, "/var/lib/dpkg/status");

    private static Package Npm(string version) => new("npm", "lodash", version, null, null, "/app/node_modules/lodash/package.json");

    [Fact]
    public void DebianBinaryPackageMatchesBySourcePackageAndRelease()
    {
        var libc = Deb("libc6", "2.36-9+deb12u4", "glibc");
        var f = Assert.Single(Matcher.Match(libc));
        Assert.Equal("DSA-5678-1", f.AdvisoryId);
        Assert.Equal(["CVE-2024-2961", "CVE-2024-33599"], f.Aliases);
        Assert.Same(libc, f.Package);
        Assert.Equal("2.36-9+deb12u4", f.InstalledVersion);
        Assert.Equal("2.36-9+deb12u6", f.FixedVersion);
        Assert.Equal(Severity.Unknown, f.Severity);
        Assert.Equal("glibc - security update", f.Summary);
    }

    [Fact]
    public void DebianReleaseSelectsTheAffectedEntry()
    {
        var f = Assert.Single(Matcher.Match(Deb("libc6", "2.31-13+deb11u5", "glibc", release: "11")));
        Assert.Equal("2.31-13+deb11u9", f.FixedVersion);
        // The Debian 11 fix is older than this Debian 12 build, but only the Debian 12 entry applies.
        Assert.Empty(Matcher.Match(Deb("libc6", "2.36-9+deb12u6", "glibc")));
        Assert.Empty(Matcher.Match(Deb("libc6", "2.36-9+deb12u4", "glibc", release: "13")));
    }

    [Fact]
    public void ImageReleaseStandsInForAMissingPackageRelease()
    {
        var libc = new Package("Debian", "libc6", "2.36-9+deb12u4", null, "glibc", "/var/lib/dpkg/status");
        Assert.Equal("DSA-5678-1", Assert.Single(Matcher.Match(libc, osRelease: "12")).AdvisoryId);
    }

    [Fact]
    public void BinaryNameDoesNotMatchWhenASourceIsKnown() => Assert.Empty(Matcher.Match(Deb("glibc-doc", "2.36-9+deb12u4", "glibc-doc")));

    [Theory]
    [InlineData("3.1.3-r0", "3.1.4-r0")]
    [InlineData("3.1.4_rc1-r0", "3.1.4-r0")]
    [InlineData("3.1.4-r0", null)]
    [InlineData("3.1.4-r1", null)]
    public void AlpinePackageMatchesByOrigin(string installed, string? fixedVersion)
    {
        var findings = Matcher.Match(new Package("Alpine", "libcrypto3", installed, "v3.18", "openssl", "/lib/apk/db/installed"));
        if (fixedVersion is null)
        {
            Assert.Empty(findings);
            return;
        }
        var f = Assert.Single(findings);
        Assert.Equal(("ALPINE-CVE-2023-5363", fixedVersion), (f.AdvisoryId, f.FixedVersion));
        Assert.Equal(["CVE-2023-5363"], f.Aliases);
    }

    [Fact]
    public void NpmSemverRangeWithCvss3Severity()
    {
        var findings = Matcher.Match(Npm("4.17.15"));
        Assert.Equal(["GHSA-p6mc-m468-83gw", "GHSA-29mw-wpgm-hmr9"], findings.Select(f => f.AdvisoryId));
        var proto = findings[0];
        Assert.Equal(["CVE-2020-8203"], proto.Aliases);
        Assert.Equal("4.17.19", proto.FixedVersion);
        Assert.Equal(new Severity(SeverityLevel.High, 7.4, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"), proto.Severity);
        Assert.Equal("Prototype Pollution in lodash", proto.Summary);
        // Only a CVSS v4 vector: the database's own rating is used, without a score.
        var redos = findings[1];
        Assert.Equal("4.17.21", redos.FixedVersion);
        Assert.Equal(new Severity(SeverityLevel.Medium, null, null), redos.Severity);
    }

    [Theory]
    [InlineData("2.4.2", "3.0.0")]     // first interval (introduced 0), unsorted events
    [InlineData("3.6.0", null)]        // between the intervals
    [InlineData("3.7.0", "4.17.19")]   // introduced is inclusive
    [InlineData("4.17.19-beta.1", "4.17.19")]
    [InlineData("4.17.19", null)]      // fixed is exclusive
    public void NpmRangeIntervals(string installed, string? fixedVersion)
    {
        var f = Matcher.Match(Npm(installed)).SingleOrDefault(f => f.AdvisoryId == "GHSA-p6mc-m468-83gw");
        Assert.Equal(fixedVersion, f?.FixedVersion);
    }

    [Fact]
    public void WithdrawnAdvisoryNeverMatches() =>
        Assert.DoesNotContain(Matcher.Match(Npm("1.0.0")), f => f.AdvisoryId == "GHSA-wwww-wwww-wwww");

    [Theory]
    [InlineData("jinja2", "3.1.2", true)]      // last_affected is inclusive; PEP 503 name normalisation
    [InlineData("Jinja2", "3.1.2rc1", true)]
    [InlineData("jinja_2", "2.0", false)]      // different project once normalised ("jinja-2")
    [InlineData("jinja2", "3.1.2.post1", false)]
    [InlineData("jinja2", "3.1.3", false)]
    [InlineData("jinja2", "1.9", false)]
    public void PyPiLastAffected(string name, string installed, bool affected)
    {
        var findings = Matcher.Match(new Package("PyPI", name, installed, null, null, "/usr/lib/python3/site-packages"));
        if (!affected)
        {
            Assert.Empty(findings);
            return;
        }
        var f = Assert.Single(findings);
        Assert.Equal("PYSEC-2024-0001", f.AdvisoryId);
        Assert.Equal(["CVE-2024-22195", "GHSA-h5c8-rqwp-cp95"], f.Aliases);
        Assert.Null(f.FixedVersion);
        Assert.Equal(new Severity(SeverityLevel.Medium, 6.1, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), f.Severity);
    }

    [Theory]
    [InlineData("2.0-rc1", "2.15.0")]   // listed explicitly; the range's fix is still the upgrade target
    [InlineData("2.12.1", "2.15.0")]
    [InlineData("2.14.1", "2.15.0")]    // in the ECOSYSTEM range only
    [InlineData("2.12.0", null)]        // neither listed nor in range: the GIT range is ignored
    [InlineData("2.15.0", null)]
    public void MavenVersionsListAndRange(string installed, string? fixedVersion)
    {
        var findings = Matcher.Match(new Package("Maven", "org.apache.logging.log4j:log4j-core", installed, null, null, "/app/lib/log4j-core.jar"));
        if (fixedVersion is null)
        {
            Assert.Empty(findings);
            return;
        }
        var f = Assert.Single(findings);
        Assert.Equal(("GHSA-jfh8-c2jp-5v3q", fixedVersion), (f.AdvisoryId, f.FixedVersion));
        Assert.Equal(["CVE-2021-44228"], f.Aliases);
        Assert.Equal(new Severity(SeverityLevel.Critical, 10.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), f.Severity);
    }

    [Fact]
    public void RpmDistributionMatchesByBinaryName()
    {
        var matcher = new AdvisoryMatcher(OsvParser.Parse("""
            {
              "id": "RLSA-2024:1234",
              "aliases": ["CVE-2024-0001"],
              "affected": [
                {
                  "package": { "ecosystem": "Rocky Linux:9", "name": "openssl-libs" },
                  "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "fixed": "1:3.0.7-25.el9_3" } ] } ]
                }
              ]
            }
            """));
        var libs = new Package("Rocky Linux", "openssl-libs", "1:3.0.7-24.el9", "9", "openssl", "/var/lib/rpm");
        Assert.Equal("1:3.0.7-25.el9_3", Assert.Single(matcher.Match(libs)).FixedVersion);
        Assert.Empty(matcher.Match(libs with { Version = "1:3.0.7-25.el9_3" }));
    }

    [Fact]
    public void UnparsableInstalledVersionOnlyMatchesListedVersions() =>
        Assert.Empty(Matcher.Match(Npm("not-a-version")));

    [Fact]
    public void MatchesAWholeInventoryAgainstALargeDatabase()
    {
        // 50,000 advisories over 5,000 npm packages, each with a range; 500 installed packages.
        var advisories = Enumerable.Range(0, 50_000).Select(i => new OsvAdvisory
        {
            Id = $"GHSA-{i}",
            Affected =
            [
                new OsvAffected
                {
                    Package = new OsvPackage("npm", $"pkg{i % 5000}", null),
                    Ranges = [new OsvRange("SEMVER", [new OsvEvent("0", null, null, null), new OsvEvent(null, $"1.{i / 5000}.0", null, null)])],
                },
            ],
        });
        var matcher = new AdvisoryMatcher(advisories);
        Assert.Equal(5000, matcher.IndexedPackages);
        var inventory = Enumerable.Range(0, 500).Select(i => new Package("npm", $"pkg{i}", "1.5.0", null, null, "/app")).ToList();
        var findings = matcher.Match(inventory);
        // Each package has ten advisories fixed at 1.0.0 … 1.9.0; 1.5.0 is affected by those fixed at 1.6.0 and later.
        Assert.Equal(500 * 4, findings.Count);
        Assert.All(findings, f => Assert.NotNull(f.FixedVersion));
    }
}
