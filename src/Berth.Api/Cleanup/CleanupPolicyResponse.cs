namespace Berth.Api;

/// <summary>A registry's cleanup policy; with none stored: no rules, untagged manifests left, schedule <c>off</c>.</summary>
public sealed record CleanupPolicyResponse(
    IReadOnlyList<CleanupRuleView> Rules,
    int? UntaggedOlderThanHours,
    string Schedule,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? UpdatedAt);
