using System.Text;
using Berth.Scanning.Advisories;

namespace Berth.Scanning.Tests.Advisories;

public class OsvParserTests
{
    [Fact]
    public void ParsesADebianAdvisory()
    {
        var a = Assert.Single(OsvParser.Parse(Fixtures.DebianDsa));
        Assert.Equal("DSA-5678-1", a.Id);
        Assert.Empty(a.Aliases);
        Assert.Equal(["CVE-2024-2961", "CVE-2024-33599"], a.Upstream);
        Assert.Equal("glibc - security update", a.Summary);
        Assert.Equal(new DateTimeOffset(2024, 4, 24, 0, 0, 0, TimeSpan.Zero), a.Published);
        Assert.Null(a.Withdrawn);
        Assert.Equal(2, a.Affected.Count);
        var first = a.Affected[0];
        Assert.Equal(new OsvPackage("Debian:12", "glibc", "pkg:deb/debian/glibc?arch=source"), first.Package);
        var range = Assert.Single(first.Ranges);
        Assert.Equal("ECOSYSTEM", range.Type);
        Assert.Equal([new OsvEvent("0", null, null, null), new OsvEvent(null, "2.36-9+deb12u6", null, null)], range.Events);
    }

    [Fact]
    public void IgnoresUnknownFieldsAndKeepsDatabaseSpecific()
    {
        var a = Assert.Single(OsvParser.Parse(Fixtures.GhsaNpm));
        Assert.Equal(["CVE-2020-8203"], a.Aliases);
        Assert.Equal(new OsvSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"), Assert.Single(a.Severity));
        Assert.Equal("HIGH", a.DatabaseSpecific!.Value.GetProperty("severity").GetString());
        Assert.Equal(4, Assert.Single(a.Affected[0].Ranges).Events.Count);
    }

    [Fact]
    public void ParsesLastAffectedVersionsAndWithdrawn()
    {
        var all = OsvParser.Parse(Fixtures.All);
        Assert.Equal(7, all.Count);
        Assert.Equal(new OsvEvent(null, null, "3.1.2", null), all.Single(a => a.Id == "PYSEC-2024-0001").Affected[0].Ranges[0].Events[1]);
        Assert.Equal(["2.0-beta9", "2.0-rc1", "2.0", "2.1", "2.12.1"], all.Single(a => a.Id == "GHSA-jfh8-c2jp-5v3q").Affected[0].Versions);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero), all.Single(a => a.Id == "GHSA-wwww-wwww-wwww").Withdrawn);
    }

    [Fact]
    public async Task ParsesAStreamedArray()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Fixtures.All));
        var all = await OsvParser.ParseAsync(stream);
        Assert.Equal(
            ["DSA-5678-1", "ALPINE-CVE-2023-5363", "GHSA-p6mc-m468-83gw", "GHSA-29mw-wpgm-hmr9", "PYSEC-2024-0001", "GHSA-jfh8-c2jp-5v3q", "GHSA-wwww-wwww-wwww"],
            all.Select(a => a.Id));
    }

    [Fact]
    public void ToleratesFieldsOfUnexpectedTypes()
    {
        var a = Assert.Single(OsvParser.Parse("""{ "id": "X-1", "aliases": null, "severity": "high", "affected": [ { "ranges": {} } ], "published": "not a date" }"""));
        Assert.Empty(a.Aliases);
        Assert.Empty(a.Severity);
        Assert.Null(Assert.Single(a.Affected).Package);
        Assert.Null(a.Published);
    }

    [Theory]
    [InlineData("""{ "summary": "no id" }""")]
    [InlineData("""[ 1 ]""")]
    [InlineData("""{ "id": "X-1", "affected": [ { "package": { "name": "p" } } ] }""")]
    public void RejectsDocumentsWithoutIdentity(string json) => Assert.Throws<FormatException>(() => OsvParser.Parse(json));
}
