namespace Berth.Core.Metadata;

/// <summary>
/// The scan of one image manifest of a repository. <see cref="ReportJson"/> (the findings, in the server's report
/// format) is only filled in by <see cref="IScanStore.GetScanAsync"/>; listings leave it null.
/// </summary>
public sealed record ScanRecord(
    long RepositoryId,
    string ManifestDigest,
    ScanStatus Status,
    string? Reason,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? AdvisoryVersion,
    ScanSummary? Summary,
    string? ReportJson)
{
    /// <summary>The advisory database version before anything was imported: a scan made against it matched nothing.</summary>
    public const long NoAdvisoryData = 0;

    /// <summary>Scanned, but with no advisory data to match against: it says nothing about vulnerabilities yet.</summary>
    public bool NotChecked => Status == ScanStatus.Done && AdvisoryVersion == NoAdvisoryData;
}
