namespace Berth.Api;

/// <summary>A manifest a cleanup deletes.</summary>
public sealed record CleanupManifestView(string Repository, string Digest);
