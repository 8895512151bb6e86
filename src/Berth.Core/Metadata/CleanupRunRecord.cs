namespace Berth.Core.Metadata;

/// <summary>
/// A cleanup run of a registry. <see cref="HeartbeatAt"/> moves on while the node running it is alive, so a run whose
/// node died is told apart and marked interrupted.
/// </summary>
public sealed record CleanupRunRecord(
    long Id,
    string RegistryId,
    string Trigger,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset? FinishedAt,
    long TagsDeleted,
    long ManifestsDeleted,
    long Skipped,
    long BytesFreed,
    IReadOnlyList<string> Errors);
