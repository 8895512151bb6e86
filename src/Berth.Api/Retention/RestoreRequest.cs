namespace Berth.Api;

/// <summary>Body of <c>POST /api/v1/registries/{name}/deleted/restore</c>: a repository and either a tag or a digest.</summary>
public sealed record RestoreRequest(string? Repository, string? Tag, string? Digest);
