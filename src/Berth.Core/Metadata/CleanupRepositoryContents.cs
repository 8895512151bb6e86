namespace Berth.Core.Metadata;

/// <summary>Everything cleanup plans one repository with, read in one go (never the whole registry at once).</summary>
public sealed record CleanupRepositoryContents(
    IReadOnlyList<CleanupTag> Tags,
    IReadOnlyList<CleanupManifest> Manifests,
    IReadOnlyList<CleanupIndexLink> IndexLinks);
