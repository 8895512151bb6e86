namespace Berth.Api;

public sealed record ProjectResponse(string Name, DateTimeOffset CreatedAt, int RegistryCount);
