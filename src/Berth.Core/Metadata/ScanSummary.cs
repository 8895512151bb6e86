namespace Berth.Core.Metadata;

/// <summary>Findings by severity level (CVSS v3 ratings; a finding without a severity is Unknown).</summary>
public sealed record ScanSummary(int Critical, int High, int Medium, int Low, int Unknown)
{
    public static readonly ScanSummary Empty = new(0, 0, 0, 0, 0);

    public int Total => Critical + High + Medium + Low + Unknown;
}
