using Berth.Core;
using Berth.Core.Distribution;
using Berth.Core.Metadata;

namespace Berth.Registry.Distribution;

/// <summary>
/// A registry's storage allocation as seen by pushes: uploads whose size is known up front are refused before
/// their bytes are accepted; the binding check happens again, atomically, when the blob is recorded.
/// </summary>
public sealed class StorageQuota(ITenantStore tenants, IArtifactStore artifacts)
{
    /// <summary>Throws DENIED when <paramref name="incomingBytes"/> more would exceed the registry's allocation.</summary>
    public async Task EnsureRoomAsync(string registryId, long incomingBytes, CancellationToken cancellationToken)
    {
        if (incomingBytes <= 0)
        {
            return;
        }

        var (limit, used) = await ReadAsync(registryId, cancellationToken);
        if (used + incomingBytes > limit)
        {
            throw Exceeded(limit, used, incomingBytes);
        }
    }

    /// <summary>The error for a blob of <paramref name="incomingBytes"/> that the registry had no room for.</summary>
    public async Task<OciException> ExceededAsync(string registryId, long incomingBytes, CancellationToken cancellationToken)
    {
        var (limit, used) = await ReadAsync(registryId, cancellationToken);
        return Exceeded(limit, used, incomingBytes);
    }

    /// <summary>True when the registry no longer exists (to explain storage errors during a delete).</summary>
    public async Task<bool> RegistryGoneAsync(string registryId) =>
        await tenants.GetRegistryByIdAsync(registryId, CancellationToken.None) is null;

    private async Task<(long Limit, long Used)> ReadAsync(string registryId, CancellationToken cancellationToken)
    {
        var registry = await tenants.GetRegistryByIdAsync(registryId, cancellationToken)
            ?? throw new OciException(OciErrorCode.NameUnknown, "registry not found");
        var usage = await artifacts.GetUsageAsync(registryId, cancellationToken);
        return (registry.StorageLimitBytes, usage.StorageUsageBytes);
    }

    private static OciException Exceeded(long limit, long used, long incoming) =>
        new(OciErrorCode.Denied,
            $"storage limit exceeded: the registry uses {ByteSize.Format(used)} of its {ByteSize.Format(limit)} allocation " +
            $"and this push needs {ByteSize.Format(incoming)} more; delete images or resize the registry",
            new Dictionary<string, long> { ["storageUsageBytes"] = used, ["storageLimitBytes"] = limit, ["requiredBytes"] = incoming });
}
