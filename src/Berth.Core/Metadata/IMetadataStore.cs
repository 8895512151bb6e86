namespace Berth.Core.Metadata;

/// <summary>
/// A metadata backend: every metadata role in one store, and its lifecycle (the schema is created or migrated once
/// at start). Features depend on the single role they need; the composition root registers each role as this store.
/// </summary>
public interface IMetadataStore
    : ITenantStore, IArtifactStore, IUploadStore, IAuditStore, IUserStore, IPullStatsStore, IAdvisoryStore, IScanStore,
    IDataProtectionKeyStore, IRegistryTokenStore, IFederationStore,
    IArtifactBinStore, ITagImmutabilityStore, IUsageNoticeStore,
    ICleanupStore
{
    /// <summary>Creates or migrates the schema; safe to call when another node does the same at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when the backend answers (readiness checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/>, thrown by this store, means the database is busy (a lock or a
    /// connection not had in time): nothing was changed and the same request may succeed when retried.
    /// </summary>
    bool IsBusy(Exception exception);
}
