namespace Berth.Core.Metadata;

public sealed record ProjectRecord(string Id, string Name, DateTimeOffset CreatedAt);
