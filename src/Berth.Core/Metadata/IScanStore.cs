namespace Berth.Core.Metadata;

/// <summary>
/// Vulnerability scans of image manifests. A scan belongs to its manifest: it goes when the manifest, its repository
/// or its registry is deleted. Scans are a queue that several nodes share: claiming is atomic.
/// </summary>
public interface IScanStore
{
    /// <summary>
    /// Queues a scan of the manifest: a new one, or a finished one (done/failed) again, keeping its last report until
    /// the new one replaces it. A queued or running scan is left as it is. False when the manifest does not exist.
    /// </summary>
    Task<bool> QueueScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a scan of the manifest only if it has none yet, whatever its state (a push: a re-tag or re-push of a
    /// scanned image is not scanned again). True when a scan was queued; false when it had one or the manifest does
    /// not exist. One statement: nothing is read back.
    /// </summary>
    Task<bool> QueueNewScanAsync(long repositoryId, string manifestDigest, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Queues again every finished scan made against an advisory version older than <paramref name="advisoryVersion"/>; returns how many.</summary>
    Task<int> QueueOutdatedScansAsync(long advisoryVersion, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the longest-queued scan, or a running one claimed before <paramref name="staleBefore"/> (its scanner
    /// died), and marks it running under a new claim; null when there is none. Two nodes never claim the same scan.
    /// </summary>
    Task<ScanClaim?> ClaimScanAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Records the outcome of a claimed scan, if the claim still holds (false otherwise: the scan was claimed again, or
    /// its manifest deleted). A Done outcome against an advisory version older than the database's current one is
    /// stored queued (with its report), so an import that happened during the scan is not missed.
    /// </summary>
    Task<bool> CompleteScanAsync(ScanClaim claim, ScanOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The manifest's scan with its report, or null when it was never queued.</summary>
    Task<ScanRecord?> GetScanAsync(long repositoryId, string manifestDigest, CancellationToken cancellationToken);

    /// <summary>Every scan of the repository's manifests, without reports (listings, severity badges), in one query.</summary>
    Task<IReadOnlyList<ScanRecord>> ListScansAsync(long repositoryId, CancellationToken cancellationToken);
}

public enum ScanStatus
{
    /// <summary>Waiting for a scanner (a finished scan queued again keeps its previous report until the new one lands).</summary>
    Queued = 1,

    Running = 2,

    Done = 3,

    /// <summary>The scan could not complete; <see cref="ScanRecord.Reason"/> says why.</summary>
    Failed = 4,
}

/// <summary>Findings by severity level (CVSS v3 ratings; a finding without a severity is Unknown).</summary>
public sealed record ScanSummary(int Critical, int High, int Medium, int Low, int Unknown)
{
    public static readonly ScanSummary Empty = new(0, 0, 0, 0, 0);

    public int Total => Critical + High + Medium + Low + Unknown;
}

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

/// <summary>A scan a scanner claimed: what it needs to find the image, and the claim that its outcome must carry.</summary>
public sealed record ScanClaim(string ClaimId, string RegistryId, long RepositoryId, string Repository, string ManifestDigest, DateTimeOffset ClaimedAt);

/// <summary>
/// How a claimed scan ended: <see cref="ScanStatus.Done"/> with a report, <see cref="ScanStatus.Failed"/> with a
/// reason, or <see cref="ScanStatus.Queued"/> to hand it back unfinished (its scanner is shutting down; the previous
/// report, if any, stays).
/// </summary>
public sealed record ScanOutcome(
    ScanStatus Status,
    string? Reason,
    long? AdvisoryVersion,
    ScanSummary? Summary,
    string? ReportJson,
    DateTimeOffset FinishedAt);
