namespace Berth.Api;

/// <summary>
/// A candidate a cleanup run leaves: <see cref="Reference"/> is a tag or a digest, <see cref="Reason"/> one of
/// <c>immutable</c>, <c>pulled_recently</c>, <c>in_kept_index</c>, <c>subject_kept</c>.
/// </summary>
public sealed record ProtectedArtifact(string Repository, string Reference, string Reason);
