namespace Berth.Api;

/// <summary>Body of <c>PATCH /api/v1/registries/{name}</c>.</summary>
public sealed record ResizeRequest(long? StorageLimitGiB);
