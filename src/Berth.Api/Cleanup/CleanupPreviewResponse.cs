namespace Berth.Api;

/// <summary>
/// Answer of <c>POST …/cleanup-policy/dry-run</c>: what a run would delete now, what it would leave and why, and the
/// bytes usage drops by once the collector has purged the deleted manifests.
/// </summary>
public sealed record CleanupPreviewResponse(
    IReadOnlyList<PlannedTagDeletion> Tags,
    IReadOnlyList<PlannedManifestDeletion> Manifests,
    IReadOnlyList<ProtectedArtifact> Protected,
    long BytesFreed);
