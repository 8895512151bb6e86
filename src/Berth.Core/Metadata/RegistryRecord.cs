namespace Berth.Core.Metadata;

/// <param name="PreviousPasswordValidUntil">When the password a reset replaced stops working, if the reset kept it for an
/// overlap (it may be past: compare with the clock); null when there is none.</param>
public sealed record RegistryRecord(
    string Id,
    string Name,
    string ProjectId,
    string ProjectName,
    long StorageLimitBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PreviousPasswordValidUntil = null);
