namespace Berth.Api;

/// <summary>An untagged manifest a cleanup run would delete.</summary>
public sealed record PlannedManifestDeletion(string Repository, string Digest);
