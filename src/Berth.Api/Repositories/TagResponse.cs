namespace Berth.Api;

public sealed record TagResponse(string Name, string Digest, DateTimeOffset UpdatedAt);
