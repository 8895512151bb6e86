using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry.Scanning;

namespace Berth.Registry.Tests;

/// <summary>How findings are counted and statuses named (pure logic, no server).</summary>
public sealed class ScanCountingTests
{
    [Fact]
    public void AnAdvisoryMatchingSeveralPackagesOfAnImageIsOneFindingAtItsWorstSeverity()
    {
        // openssl's advisory matches both its binary packages; the npm one is found in a lockfile and in node_modules.
        var report = Report(
            Finding("DSA-1", "libssl3", "high"),
            Finding("DSA-1", "openssl", "critical"),
            Finding("GHSA-1", "lodash", "medium"),
            Finding("GHSA-1", "lodash", "medium"),
            Finding("PYSEC-1", "requests", "none"),
            Finding("OSV-1", "busybox", "unknown"));

        Assert.Equal(
            [new ScanFinding("DSA-1", ScanSeverity.Critical), new ScanFinding("GHSA-1", ScanSeverity.Medium),
             new ScanFinding("PYSEC-1", ScanSeverity.Low), new ScanFinding("OSV-1", ScanSeverity.Unknown)],
            report.Advisories().OrderByDescending(f => f.Severity));
        Assert.Equal(new ScanSummary(1, 0, 1, 1, 1), report.Summarize());
    }

    [Fact]
    public void AReportWithNoFindingsCountsNothing() => Assert.Equal(ScanSummary.Empty, Report().Summarize());

    [Fact]
    public void AScanMadeWithNoAdvisoryDataIsNotChecked()
    {
        var scan = new ScanRecord(1, "sha256:a", ScanStatus.Done, null, DateTimeOffset.UnixEpoch, null, null, ScanRecord.NoAdvisoryData, ScanSummary.Empty, null);

        Assert.Equal("not_checked", VulnerabilityReports.StatusName(scan));
        Assert.Equal("done", VulnerabilityReports.StatusName(scan with { AdvisoryVersion = 1 }));

        // Queued again after the first import: the status is the queue's until the new scan lands.
        Assert.Equal("queued", VulnerabilityReports.StatusName(scan with { Status = ScanStatus.Queued }));
    }

    [Theory]
    [InlineData("done,done", "done")]
    [InlineData("done,not_checked", "not_checked")]
    [InlineData("not_checked,failed", "failed")]
    [InlineData("done,queued,running", "running")]
    [InlineData("", "not_scanned")]
    public void AnIndexTakesTheStatusFurthestFromDone(string platforms, string expected) =>
        Assert.Equal(expected, VulnerabilityReports.AggregateStatus(platforms.Split(',', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void TheSbomFileIsNamedAfterTheRepositoryAndTheDigest() =>
        Assert.Equal("team_api_0123456789ab.cdx.json", CycloneDxSbom.FileName("team/api", "sha256:0123456789abcdef" + new string('0', 48)));

    private static ScanReport Report(params FindingView[] findings) => new(ScanReport.CurrentInventoryVersion, null, [], findings);

    private static FindingView Finding(string advisory, string package, string severity) =>
        new(advisory, [], package, "Debian:12", "1.0", null, severity, null, null, null, "var/lib/dpkg/status");
}
