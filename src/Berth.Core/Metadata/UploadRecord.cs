namespace Berth.Core.Metadata;

public sealed record UploadRecord(
    string Id,
    string RegistryId,
    string Repository,
    long Size,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt);
