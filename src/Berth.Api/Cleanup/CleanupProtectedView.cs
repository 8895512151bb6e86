namespace Berth.Api;

/// <summary>
/// A deletion candidate a cleanup keeps, and why: <c>immutable</c>, <c>pulled_recently</c>, <c>in_kept_index</c>,
/// <c>subject_kept</c>. <see cref="Reference"/> is the tag or the manifest digest.
/// </summary>
public sealed record CleanupProtectedView(string Repository, string Reference, string Reason);
