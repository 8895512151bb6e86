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
    string? ReportJson);
