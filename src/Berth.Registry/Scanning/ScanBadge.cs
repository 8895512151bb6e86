using Berth.Core.Metadata;

namespace Berth.Registry.Scanning;

/// <summary>The scan state of one artifact in a listing: its status and, once scanned, its findings by severity.</summary>
public sealed record ScanBadge(string Status, ScanSummary? Summary)
{
    public static readonly ScanBadge NotScanned = new(VulnerabilityReports.NotScanned, null);
}
