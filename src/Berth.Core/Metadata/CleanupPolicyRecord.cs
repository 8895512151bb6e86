namespace Berth.Core.Metadata;

/// <summary>
/// A registry's stored cleanup policy: its rules as the JSON document the API validated, its schedule (<c>off</c>,
/// <c>daily</c> or a cron expression) and when it next runs (null when off).
/// </summary>
public sealed record CleanupPolicyRecord(string RegistryId, string PolicyJson, string Schedule, DateTimeOffset? NextRunAt, DateTimeOffset UpdatedAt);
