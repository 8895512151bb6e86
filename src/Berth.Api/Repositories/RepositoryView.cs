namespace Berth.Api;

/// <summary>A repository as the API and the dashboard list it.</summary>
public sealed record RepositoryView(
    string Name, int TagCount, int ArtifactCount, long SizeBytes, long PullCount, DateTimeOffset? LastPulledAt, DateTimeOffset UpdatedAt);
