namespace Berth.Api;

/// <summary>
/// A cleanup run: <see cref="Trigger"/> <c>manual</c> or <c>schedule</c>; <see cref="Status"/> <c>running</c>,
/// <c>succeeded</c>, <c>failed</c> or <c>interrupted</c> (its node stopped). <see cref="Skipped"/> counts planned
/// deletions cancelled at run time (re-tagged, pulled, no longer untagged).
/// </summary>
public sealed record CleanupRunResponse(
    long Id,
    string Trigger,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long TagsDeleted,
    long ManifestsDeleted,
    long Skipped,
    long BytesFreed,
    IReadOnlyList<string> Errors);
