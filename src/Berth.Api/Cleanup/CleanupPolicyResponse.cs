namespace Berth.Api;

/// <summary>A registry's cleanup policy (no policy: no rules, schedule <c>off</c>, the times null).</summary>
public sealed record CleanupPolicyResponse(
    IReadOnlyList<CleanupRuleView> Rules,
    int? UntaggedOlderThanHours,
    string Schedule,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? UpdatedAt);
