using Berth.Core;
using Berth.Core.Metadata;

namespace Berth.Registry.Auditing;

/// <summary>
/// Writes a registry's usage notice to its audit log when it changes: <c>registry.usage.nearly_full</c>,
/// <c>registry.usage.full</c>, and <c>registry.usage.normal</c> when it drops back. Called whenever usage may have
/// crossed a threshold (a blob stored, storage freed, a resize). The notice last announced is kept with the registry
/// and changed by compare-and-set, so each crossing is written once even when several nodes notice it together.
/// </summary>
public sealed partial class UsageNoticeAudit(
    ITenantStore tenants,
    IArtifactStore artifacts,
    IUsageNoticeStore store,
    IAuditStore audit,
    UsageNotices notices,
    TimeProvider time,
    ILogger<UsageNoticeAudit> logger)
{
    /// <summary>The audit log's actor for these events: nobody did them, the usage got there.</summary>
    public const string Actor = "berth";

    public Task CheckAsync(RegistryRecord registry, CancellationToken cancellationToken) => CheckAsync(registry.Id, cancellationToken);

    /// <summary>
    /// Audits the registry's notice if it changed since last announced. Never throws for a failure to read or write
    /// (the push or delete that called it has happened; the next check catches up), only when cancelled.
    /// </summary>
    public async Task CheckAsync(string registryId, CancellationToken cancellationToken)
    {
        try
        {
            // The registry read first: its limit is current (a resize may have just changed it).
            if (await tenants.GetRegistryByIdAsync(registryId, cancellationToken) is not { } registry)
            {
                return;
            }

            var usage = await artifacts.GetUsageAsync(registryId, cancellationToken);
            var notice = notices.For(usage, registry.StorageLimitBytes);
            var announced = await store.GetUsageNoticeAsync(registryId, cancellationToken);
            if (notice == announced || !await store.SwapUsageNoticeAsync(registryId, announced, notice, cancellationToken))
            {
                // Unchanged, or another caller (maybe another node) won the swap and writes the event.
                return;
            }

            var percent = registry.StorageLimitBytes > 0 ? (decimal)usage.TotalBytes * 100 / registry.StorageLimitBytes : 0;
            await audit.AppendAuditAsync(new AuditEvent(time.GetUtcNow(), Actor, "registry.usage." + (notice ?? "normal"), registry.ProjectId,
                registry.ProjectName, registry.Id, registry.Name, null,
                $"{ByteSize.Format(usage.TotalBytes)} of {ByteSize.Format(registry.StorageLimitBytes)} in use ({percent:0.#} %)"), CancellationToken.None);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogCheckFailed(logger, registryId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the usage notice of registry {RegistryId}; the next push or delete will")]
    private static partial void LogCheckFailed(ILogger logger, string registryId, Exception exception);
}
