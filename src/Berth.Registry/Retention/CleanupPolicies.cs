using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Registry.Retention;

/// <summary>A registry's cleanup policy: read, replaced and removed (owners), each change audited.</summary>
public sealed class CleanupPolicies(ICleanupStore store, RegistryAudit audit, TimeProvider time)
{
    /// <summary>The stored policy and its row, or nulls when the registry has none.</summary>
    public async Task<(CleanupPolicy? Policy, CleanupPolicyRecord? Record)> GetAsync(RegistryRecord registry, CancellationToken cancellationToken)
    {
        var record = await store.GetCleanupPolicyAsync(registry.Id, cancellationToken);
        return record is null ? (null, null) : (CleanupPolicy.FromStored(record.PolicyJson, record.Schedule), record);
    }

    public async Task<CleanupPolicyResponse> DescribeAsync(RegistryRecord registry, CancellationToken cancellationToken)
    {
        var (policy, record) = await GetAsync(registry, cancellationToken);
        return policy is null
            ? new CleanupPolicyResponse([], null, CleanupSchedule.OffText, null, null)
            : policy.ToResponse(record!.NextRunAt, record.UpdatedAt);
    }

    public async Task<CleanupPolicyResponse> SetAsync(RegistryRecord registry, CleanupPolicyRequest? request, AuditActor actor, CancellationToken cancellationToken)
    {
        var policy = Parse(request);
        var now = time.GetUtcNow();
        var record = new CleanupPolicyRecord(registry.Id, policy.ToStoredJson(), policy.Schedule.Text, policy.Schedule.NextAfter(now), now);
        if (!await store.SetCleanupPolicyAsync(record, cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Registry not found", $"There is no registry named '{registry.Name}'.");
        }

        await audit.AuditAsync(registry, actor, "cleanup-policy.updated", Summary(policy), cancellationToken);
        return policy.ToResponse(record.NextRunAt, record.UpdatedAt);
    }

    public async Task DeleteAsync(RegistryRecord registry, AuditActor actor, CancellationToken cancellationToken)
    {
        if (await store.DeleteCleanupPolicyAsync(registry.Id, cancellationToken))
        {
            await audit.AuditAsync(registry, actor, "cleanup-policy.deleted", null, cancellationToken);
        }
    }

    /// <summary>A request's policy, or a 400 problem naming the offending field.</summary>
    public static CleanupPolicy Parse(CleanupPolicyRequest? request)
    {
        if (request is null)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid cleanup policy",
                "The body must be JSON: {\"rules\":[{\"repositories\":\"app/**\",\"tagPattern\":\"^v\",\"keepMostRecent\":3}],\"untaggedOlderThanHours\":24,\"schedule\":\"daily\"}.");
        }

        return CleanupPolicy.TryParse(request, out var policy, out var error)
            ? policy
            : throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid cleanup policy", error);
    }

    private static string Summary(CleanupPolicy policy) =>
        $"{policy.Rules.Count} rule(s), untagged manifests "
        + (policy.UntaggedOlderThanHours is { } hours ? $"after {hours} h" : "kept")
        + $", schedule {policy.Schedule.Text}";
}
