namespace Berth.Api;

/// <summary>A tag a cleanup run would delete, with the manifest it points at.</summary>
public sealed record PlannedTagDeletion(string Repository, string Tag, string Digest);
