namespace Berth.Core.Metadata;

public sealed record RegistryRecord(
    string Id,
    string Name,
    string ProjectId,
    string ProjectName,
    long StorageLimitBytes,
    DateTimeOffset CreatedAt);
