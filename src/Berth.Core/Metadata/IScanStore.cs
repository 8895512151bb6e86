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

    /// <summary>
    /// The findings of each of the given indexes over its platform images, each advisory counted once however many
    /// platforms have it (at its worst severity among them), in one query. An index none of whose platforms has a report
    /// yet is left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, ScanSummary>> GetIndexSummariesAsync(long repositoryId, IReadOnlyCollection<string> indexDigests, CancellationToken cancellationToken);

    /// <summary>
    /// The registry's scanned images (not those of deleted repositories) summed up in the database, without reading
    /// their reports: see <see cref="RegistryVulnerabilities"/>. <paramref name="top"/> bounds the most affected list.
    /// </summary>
    Task<RegistryVulnerabilities> GetRegistryVulnerabilitiesAsync(string registryId, int top, CancellationToken cancellationToken);

    /// <summary>The scans of those of <paramref name="digests"/> the repository has, without reports, in one query.</summary>
    Task<IReadOnlyList<ScanRecord>> ListScansAsync(long repositoryId, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);
}
