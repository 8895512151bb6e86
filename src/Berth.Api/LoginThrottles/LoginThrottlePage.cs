namespace Berth.Api;

/// <summary>A page of counters; <see cref="Next"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record LoginThrottlePage(IReadOnlyList<LoginThrottleResponse> Items, string? Next);
