namespace Berth.Api;

/// <summary>Body of <c>POST /api/v1/registries/{name}/tokens</c>: scopes any of <c>pull</c>, <c>push</c>, <c>delete</c>; repositories glob patterns (default all).</summary>
public sealed record CreateRegistryTokenRequest(string? Name, IReadOnlyList<string>? Scopes, IReadOnlyList<string>? Repositories, int? ExpiresInDays);
