namespace Berth.Api;

/// <summary>
/// Body of <c>PUT /api/v1/registries/{name}/cleanup-policy</c> (and, optionally, of <c>POST …/cleanup-policy/dry-run</c>
/// to preview a policy before saving it). <see cref="Schedule"/>: <c>off</c>, <c>daily</c> or a 5-field cron (UTC).
/// </summary>
public sealed record CleanupPolicyRequest(List<CleanupRuleView>? Rules, int? UntaggedOlderThanHours, string? Schedule);
