namespace Berth.Api;

/// <summary>Body of the create requests (<c>{"name":"…"}</c>): a project or a registry.</summary>
public sealed record CreateNameRequest(string? Name);
