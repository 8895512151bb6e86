using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Berth.Api;

namespace Berth.Registry.Retention;

/// <summary>
/// A registry's validated cleanup policy: its rules (a tag kept by any rule is kept; tags no rule selects are never
/// touched), how long a manifest must have been untagged to be deleted (null: untagged manifests are left alone) and
/// its schedule. Stored as the JSON of its request, which <see cref="FromStored"/> reads back.
/// </summary>
public sealed class CleanupPolicy
{
    public const int MaxRules = 50;

    /// <summary>Ten years: far beyond any sensible retention, and far from overflowing time arithmetic.</summary>
    public const int MaxUntaggedHours = 87_600;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    private CleanupPolicy(IReadOnlyList<CleanupRule> rules, int? untaggedOlderThanHours, CleanupSchedule schedule)
    {
        Rules = rules;
        UntaggedOlderThanHours = untaggedOlderThanHours;
        Schedule = schedule;
    }

    public IReadOnlyList<CleanupRule> Rules { get; }

    public int? UntaggedOlderThanHours { get; }

    public CleanupSchedule Schedule { get; }

    /// <summary>True when the repository could lose anything: a rule covers it, or untagged manifests are cleaned up.</summary>
    public bool Covers(string repository) => UntaggedOlderThanHours is not null || Rules.Any(r => r.Selector.MatchesRepository(repository));

    /// <summary>Validates a request; <paramref name="error"/> names the offending field (e.g. <c>rules[0].tagPattern: …</c>).</summary>
    public static bool TryParse(CleanupPolicyRequest request, [NotNullWhen(true)] out CleanupPolicy? policy, [NotNullWhen(false)] out string? error)
    {
        policy = null;
        var views = request.Rules ?? [];
        if (views.Count > MaxRules)
        {
            error = $"rules: at most {MaxRules} rules (got {views.Count})";
            return false;
        }

        var rules = new List<CleanupRule>(views.Count);
        for (var i = 0; i < views.Count; i++)
        {
            if (!CleanupRule.TryParse(views[i], $"rules[{i}]", out var rule, out error))
            {
                return false;
            }

            rules.Add(rule);
        }

        if (request.UntaggedOlderThanHours is < 0 or > MaxUntaggedHours)
        {
            error = $"untaggedOlderThanHours: must be a whole number from 0 to {MaxUntaggedHours}, or null to leave untagged manifests";
            return false;
        }

        if (!CleanupSchedule.TryParse(request.Schedule, out var schedule, out error))
        {
            return false;
        }

        policy = new CleanupPolicy(rules, request.UntaggedOlderThanHours, schedule);
        return true;
    }

    /// <summary>A policy as stored (validated when it was stored; the schedule is kept in its own column).</summary>
    public static CleanupPolicy FromStored(string policyJson, string schedule)
    {
        var request = (JsonSerializer.Deserialize<CleanupPolicyRequest>(policyJson, StoredJson) ?? new CleanupPolicyRequest([])) with { Schedule = schedule };
        return TryParse(request, out var policy, out var error)
            ? policy
            : throw new InvalidOperationException($"The stored cleanup policy is not valid: {error}");
    }

    /// <summary>The rules and the untagged setting as stored (the schedule has its own column).</summary>
    public string ToStoredJson() =>
        JsonSerializer.Serialize(new CleanupPolicyRequest([.. Rules.Select(r => r.ToView())], UntaggedOlderThanHours), StoredJson);

    public CleanupPolicyResponse ToResponse(DateTimeOffset? nextRunAt, DateTimeOffset? updatedAt) =>
        new([.. Rules.Select(r => r.ToView())], UntaggedOlderThanHours, Schedule.Text, nextRunAt, updatedAt);
}
