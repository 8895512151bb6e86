namespace Berth.Core.Metadata;

/// <summary>How a cleanup run ended, as recorded on its row.</summary>
public sealed record CleanupRunOutcome(
    string Status,
    DateTimeOffset FinishedAt,
    long TagsDeleted,
    long ManifestsDeleted,
    long Skipped,
    long BytesFreed,
    IReadOnlyList<string> Errors);
