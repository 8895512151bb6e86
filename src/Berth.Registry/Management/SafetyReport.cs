namespace Berth.Registry.Management;

/// <summary>Pull activity of a registry and what deleting it would remove: shown before a delete is confirmed.</summary>
public sealed record SafetyReport(
    long PullsLast24Hours,
    long PullsLast7Days,
    DateTimeOffset? LastPulledAt,
    IReadOnlyList<RepositoryPulls> Repositories,
    int RepositoryCount,
    int TagCount,
    int ArtifactCount,
    long SizeBytes);
