namespace Berth.Api;

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
    string? UsageNotice);
