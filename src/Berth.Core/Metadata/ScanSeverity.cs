namespace Berth.Core.Metadata;

/// <summary>The severity levels a scan counts findings in (<see cref="ScanSummary"/>), ordered so that higher is worse.</summary>
public enum ScanSeverity
{
    Unknown = 0,

    /// <summary>Low, and CVSS "none" (a 0.0 score): still a finding.</summary>
    Low = 1,

    Medium = 2,

    High = 3,

    Critical = 4,
}
