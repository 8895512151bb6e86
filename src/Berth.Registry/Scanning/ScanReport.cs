using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Scanning;
using Berth.Scanning.Advisories;
using Berth.Scanning.Inventory;

namespace Berth.Registry.Scanning;

/// <summary>
/// What a finished scan found, as stored with the scan (<see cref="ScanRecord.ReportJson"/>) and served by the API:
/// the image's distribution, every package found, and every finding, most severe first. <see cref="InventoryVersion"/>
/// says which generation of the layer analysers found the packages: a re-scan (after an advisory import) of a report
/// of the current generation only matches its packages again, since an image's layers never change.
/// </summary>
public sealed record ScanReport(int InventoryVersion, OsView? Os, IReadOnlyList<PackageView> Packages, IReadOnlyList<FindingView> Findings)
{
    /// <summary>Move on whenever an analyser finds more, or other, packages in the same layers.</summary>
    public const int CurrentInventoryVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ScanReport Create(ImageInventory inventory, IReadOnlyList<Finding> findings) => new(
        CurrentInventoryVersion,
        inventory.Os is { } os ? new OsView(os.Id, os.VersionId, os.Ecosystem, os.Release) : null,
        [.. inventory.Packages.Select(p => new PackageView(p.Ecosystem, p.Name, p.Version, p.SourceName, p.Location, p.Release))],
        [.. findings
            .Select(ToView)
            .OrderByDescending(f => SeverityOrder(f.Severity))
            .ThenByDescending(f => f.CvssScore ?? -1)
            .ThenBy(f => f.Package, StringComparer.Ordinal)
            .ThenBy(f => f.AdvisoryId, StringComparer.Ordinal)]);

    /// <summary>
    /// The advisories found, each once at its worst severity: several packages of one image matching the same advisory
    /// (a library vendored twice, binary and source packages) are one vulnerability of the image.
    /// </summary>
    public IReadOnlyList<ScanFinding> Advisories() =>
        [.. Findings.GroupBy(f => f.AdvisoryId, StringComparer.Ordinal).Select(g => new ScanFinding(g.Key, g.Max(f => LevelOf(f.Severity))))];

    /// <summary>The findings by severity, each advisory counted once (<see cref="Advisories"/>).</summary>
    public ScanSummary Summarize() => Summarize(Advisories());

    public static ScanSummary Summarize(IEnumerable<ScanFinding> advisories)
    {
        var counts = new int[5];
        foreach (var advisory in advisories)
        {
            counts[(int)advisory.Severity]++;
        }

        return new ScanSummary(counts[(int)ScanSeverity.Critical], counts[(int)ScanSeverity.High], counts[(int)ScanSeverity.Medium],
            counts[(int)ScanSeverity.Low], counts[(int)ScanSeverity.Unknown]);
    }

    /// <summary>The level a finding's severity name counts under.</summary>
    public static ScanSeverity LevelOf(string severity) => severity switch
    {
        "critical" => ScanSeverity.Critical,
        "high" => ScanSeverity.High,
        "medium" => ScanSeverity.Medium,
        // CVSS "none" (a 0.0 score) counts as low: it is a finding, and the lowest rating that says so.
        "low" or "none" => ScanSeverity.Low,
        _ => ScanSeverity.Unknown,
    };

    /// <summary>The inventory this report was made from, to match again.</summary>
    public ImageInventory ToInventory() => new(
        Os is { } os ? new OsInfo(os.Id, os.VersionId, os.Ecosystem, os.Release) : null,
        [.. Packages.Select(p => new Package(p.Ecosystem, p.Name, p.Version, p.Release, p.SourceName, p.Location))]);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ScanReport? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<ScanReport>(json, Json);

    private static FindingView ToView(Finding finding) => new(
        finding.AdvisoryId,
        finding.Aliases,
        finding.Package.Name,
        finding.Package.Ecosystem,
        finding.InstalledVersion,
        finding.FixedVersion,
        finding.Severity.Level.ToString().ToLowerInvariant(),
        finding.Severity.Score,
        finding.Severity.Vector,
        finding.Summary,
        finding.Package.Location);

    /// <summary>Rank of a severity name, higher is worse (for sorting and minimum-severity filters).</summary>
    public static int SeverityOrder(string severity) => severity switch
    {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "none" => 1,
        _ => 0,
    };
}
