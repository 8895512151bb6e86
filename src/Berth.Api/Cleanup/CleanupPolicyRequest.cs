namespace Berth.Api;

/// <summary>
/// The body of <c>PUT …/cleanup-policy</c> (and, optionally, of a dry run previewing it): rules, how long untagged
/// manifests are left (null: always), and <c>off</c>, <c>daily</c> (00:00 UTC) or a 5-field cron expression (UTC).
/// </summary>
public sealed record CleanupPolicyRequest(IReadOnlyList<CleanupRuleView>? Rules, int? UntaggedOlderThanHours = null, string? Schedule = null);
