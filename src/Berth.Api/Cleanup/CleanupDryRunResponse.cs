namespace Berth.Api;

/// <summary>
/// What a cleanup run would delete now, what it keeps among the candidates, and the bytes the registry's usage drops
/// by once the deleted manifests are purged (blobs no remaining manifest refers to, each counted once).
/// </summary>
public sealed record CleanupDryRunResponse(
    IReadOnlyList<CleanupTagView> Tags,
    IReadOnlyList<CleanupManifestView> Manifests,
    IReadOnlyList<CleanupProtectedView> Protected,
    long BytesFreed);
