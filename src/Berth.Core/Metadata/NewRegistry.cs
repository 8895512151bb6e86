namespace Berth.Core.Metadata;

/// <summary>A new registry with its first credential.</summary>
public sealed record NewRegistry(
    string Id,
    string Name,
    string ProjectId,
    string PasswordHash,
    long StorageLimitBytes,
    DateTimeOffset CreatedAt);
