using Berth.Api;

namespace Berth.Registry.Scanning;

/// <summary>
/// Which findings to show: at least <see cref="MinSeverity"/> (critical, high, medium, low, unknown), whose package,
/// advisory id or alias contains <see cref="Text"/> (case-insensitive), only those with a fix.
/// </summary>
public sealed record FindingFilter(string? MinSeverity, string? Text, bool FixableOnly)
{
    public static readonly FindingFilter None = new(null, null, false);

    public IReadOnlyList<FindingView> Apply(IReadOnlyList<FindingView> findings)
    {
        var min = string.IsNullOrEmpty(MinSeverity) ? 0 : ScanReport.SeverityOrder(MinSeverity.ToLowerInvariant());
        var text = string.IsNullOrWhiteSpace(Text) ? null : Text.Trim();
        return [.. findings.Where(f =>
            ScanReport.SeverityOrder(f.Severity) >= min
            && (!FixableOnly || f.FixedVersion is not null)
            && (text is null
                || f.Package.Contains(text, StringComparison.OrdinalIgnoreCase)
                || f.AdvisoryId.Contains(text, StringComparison.OrdinalIgnoreCase)
                || f.Aliases.Any(a => a.Contains(text, StringComparison.OrdinalIgnoreCase))))];
    }
}
