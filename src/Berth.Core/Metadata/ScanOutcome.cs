namespace Berth.Core.Metadata;

/// <summary>
/// How a claimed scan ended: <see cref="ScanStatus.Done"/> with a report (and its findings, one per advisory, which
/// <see cref="Summary"/> counts),
/// <see cref="ScanStatus.Failed"/> with a reason, or <see cref="ScanStatus.Queued"/> to hand it back unfinished (its
/// scanner is shutting down; the previous report, if any, stays).
/// </summary>
public sealed record ScanOutcome(
    ScanStatus Status,
    string? Reason,
    long? AdvisoryVersion,
    ScanSummary? Summary,
    string? ReportJson,
    DateTimeOffset FinishedAt,
    IReadOnlyList<ScanFinding>? Findings = null);
