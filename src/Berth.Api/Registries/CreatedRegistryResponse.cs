namespace Berth.Api;

/// <summary>The only response that carries a registry password: the one at creation.</summary>
public sealed record CreatedRegistryResponse(string Name, string Project, string Endpoint, string Username, string Password, DateTimeOffset CreatedAt);
