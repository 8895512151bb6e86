namespace Berth.Api;

/// <summary>A tag a cleanup deletes (untags): the manifest it points at is deleted only if listed too.</summary>
public sealed record CleanupTagView(string Repository, string Tag, string Digest);
