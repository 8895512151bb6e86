namespace Berth.Core.Metadata;

public sealed record RepositorySummary(
    string Name,
    int TagCount,
    int ManifestCount,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
