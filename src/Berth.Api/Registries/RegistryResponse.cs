namespace Berth.Api;

/// <param name="PreviousPasswordValidUntil">Until when the password a reset replaced still works (a reset with an
/// overlap); null when it does not.</param>
/// <param name="RecentlyDeleted">The registry's recovery bin (deleted tags and manifests still restorable).</param>
public sealed record RegistryResponse(
    string Name,
    string Project,
    string Endpoint,
    string Username,
    long StorageUsageBytes,
    long UploadBytes,
    long StorageLimitBytes,
    int RepositoryCount,
    DateTimeOffset CreatedAt,
    string? UsageNotice,
    DateTimeOffset? PreviousPasswordValidUntil = null,
    RecentlyDeletedResponse? RecentlyDeleted = null);
