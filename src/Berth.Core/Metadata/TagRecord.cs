namespace Berth.Core.Metadata;

public sealed record TagRecord(string Name, string ManifestDigest, DateTimeOffset UpdatedAt);
