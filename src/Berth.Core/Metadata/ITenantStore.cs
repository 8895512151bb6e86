namespace Berth.Core.Metadata;

/// <summary>Projects, registries and their credentials; plus a few server-wide settings.</summary>
public interface ITenantStore
{
    /// <exception cref="MetadataConflictException">the name is taken</exception>
    Task<ProjectRecord> CreateProjectAsync(string id, string name, DateTimeOffset createdAt, CancellationToken cancellationToken);

    Task<ProjectRecord?> GetProjectAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectRecord>> ListProjectsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a project that has no registries left, in one transaction: its name is free at once, its memberships go,
    /// and no lookup finds it. The row stays behind under <see cref="GetDeletedProjectAsync"/> (renamed) because the
    /// audit log and the registries still being purged refer to it.
    /// </summary>
    Task<ProjectDeleteResult> DeleteProjectAsync(string projectId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The most recently deleted project that was named <paramref name="name"/>, with that name; null when none.</summary>
    Task<ProjectRecord?> GetDeletedProjectAsync(string name, CancellationToken cancellationToken);

    /// <exception cref="MetadataConflictException">the registry name is taken</exception>
    Task<RegistryRecord> CreateRegistryAsync(NewRegistry registry, CancellationToken cancellationToken);

    Task<RegistryRecord?> GetRegistryAsync(string name, CancellationToken cancellationToken);

    Task<RegistryRecord?> GetRegistryByIdAsync(string registryId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegistryRecord>> ListRegistriesAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>
    /// A page of a project's registries with their usage, in one query: sorted by <see cref="ListSort.NameKey"/> or
    /// <see cref="ListSort.CreatedKey"/>, searched by a substring of the name.
    /// </summary>
    /// <exception cref="InvalidCursorException">the request's cursor is not one of this list and sort</exception>
    Task<ListPage<RegistryListing>> ListRegistriesAsync(string projectId, ListPageRequest request, CancellationToken cancellationToken);

    /// <summary>How many registries each of <paramref name="projectIds"/> has (missing: none), in one query.</summary>
    Task<IReadOnlyDictionary<string, int>> CountRegistriesAsync(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="registryIds"/> are registries that exist (not deleted), in one query.</summary>
    Task<IReadOnlySet<string>> GetLiveRegistryIdsAsync(IReadOnlyCollection<string> registryIds, CancellationToken cancellationToken);

    /// <summary>The credential whose username is <paramref name="username"/>, or null.</summary>
    Task<RegistryCredential?> GetCredentialAsync(string username, CancellationToken cancellationToken);

    /// <summary>The current credential generation and the end of the previous password's overlap (if any) of a registry, or null when it no longer exists.</summary>
    Task<CredentialState?> GetCredentialStateAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new password hash, keeps the replaced one as the previous password (replaced at <paramref name="now"/>)
    /// and moves the credential generation on, atomically. With <paramref name="keepPreviousUntil"/> the previous
    /// password (generation - 1) keeps working until then; without, it stops at once, ending any earlier overlap (only
    /// one previous password at a time). Returns the new generation, or null when the registry no longer exists.
    /// </summary>
    Task<long?> ReplacePasswordAsync(string registryId, string passwordHash, DateTimeOffset now, DateTimeOffset? keepPreviousUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the previous password's overlap at once (it and its tokens stop working). Returns the current generation,
    /// or null when the registry has no previous password still working at <paramref name="now"/> (or no longer exists).
    /// </summary>
    Task<long?> RevokePreviousPasswordAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a registry's storage allocation unless what it stores plus what its open upload sessions hold is more
    /// (<see cref="StorageLimitResult.BelowUsage"/>). The check and the change are one transaction, serialised with
    /// blob adds and upload holds, so a push racing a resize can never leave the registry over its new allocation.
    /// </summary>
    Task<StorageLimitResult> SetStorageLimitAsync(string registryId, long limitBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a registry in one short transaction, whatever it holds: from the commit on, its name is free and no
    /// lookup finds it (by name or id; its credential and upload sessions are gone), and its purge is queued. What it
    /// recorded (repositories, manifests, tags, blob records) is left for <see cref="PurgeRegistryAsync"/>, in
    /// batches. False when it did not exist.
    /// </summary>
    Task<bool> DeleteRegistryAsync(string registryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Removes up to about <paramref name="batchSize"/> records of a deleted registry in one short transaction, and
    /// the registry row itself once nothing else is left. False when nothing is left (or the registry is not deleted).
    /// </summary>
    Task<bool> PurgeRegistryAsync(string registryId, int batchSize, CancellationToken cancellationToken);

    /// <summary>Registries deleted whose stored content may not be purged yet (survives restarts).</summary>
    Task<IReadOnlyList<string>> ListPendingPurgesAsync(CancellationToken cancellationToken);

    /// <summary>Records that nothing of the deleted registry is left in storage.</summary>
    Task CompletePurgeAsync(string registryId, CancellationToken cancellationToken);

    /// <summary>Reads a server-wide setting (signing key, admin password hash).</summary>
    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores the setting unless it is already set, and returns the value that is stored (first writer wins).</summary>
    Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken);

    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Every setting whose key starts with <paramref name="prefix"/> (e.g. the data-protection key ring).</summary>
    Task<IReadOnlyDictionary<string, string>> ListSettingsAsync(string prefix, CancellationToken cancellationToken);
}
