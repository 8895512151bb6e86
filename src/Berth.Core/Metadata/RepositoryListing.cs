namespace Berth.Core.Metadata;

/// <summary>A repository as a page of the repository list shows it: its figures and its pulls, read in the page's one query.</summary>
public sealed record RepositoryListing(RepositorySummary Summary, long PullCount, DateTimeOffset? LastPulledAt);
