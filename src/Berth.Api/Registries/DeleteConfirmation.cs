namespace Berth.Api;

/// <summary>Body of <c>DELETE /api/v1/registries/{name}</c>: the registry's exact name.</summary>
public sealed record DeleteConfirmation(string? Confirm);
