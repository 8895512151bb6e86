namespace Berth.Core.Metadata;

public sealed record RepositoryRecord(long Id, string RegistryId, string Name, DateTimeOffset CreatedAt);
