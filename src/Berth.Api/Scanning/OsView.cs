namespace Berth.Api;

/// <summary>The operating system of a scanned image (from its os-release), when one was found.</summary>
public sealed record OsView(string Id, string? VersionId, string? Ecosystem, string? Release);
