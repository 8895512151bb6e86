using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="ITenantStore"/>: projects, registries and their credentials, settings, deleting a registry
/// and its storage limit.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class TenantStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    // ---- projects and registries

    [Fact]
    public async Task ProjectsAreCreatedFoundByNameAndListed()
    {
        var created = await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0.AddMinutes(1), Ct);

        Assert.Equal(new ProjectRecord("p1", "acme", T0), created);
        Assert.Equal(new ProjectRecord("p1", "acme", T0), await Tenants.GetProjectAsync("acme", Ct));
        Assert.Null(await Tenants.GetProjectAsync("initech", Ct));
        Assert.Equal(["acme", "globex"], (await Tenants.ListProjectsAsync(Ct)).Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TimestampsComeBackAsTheSameInstantInUtc()
    {
        // Microseconds: the finest resolution every backend keeps (PostgreSQL's timestamptz has no 100 ns ticks).
        var local = new DateTimeOffset(2025, 3, 4, 7, 6, 7, 123, TimeSpan.FromHours(2)).AddTicks(4560);
        await Tenants.CreateProjectAsync("p1", "acme", local, Ct);

        var read = (await Tenants.GetProjectAsync("acme", Ct))!.CreatedAt;
        Assert.Equal(local, read);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public async Task ADuplicateProjectNameIsAConflict()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Assert.ThrowsAsync<MetadataConflictException>(() => Tenants.CreateProjectAsync("p2", "acme", T0, Ct));
    }

    [Fact]
    public async Task RegistriesCarryTheirProjectNameAndAreFoundByNameAndId()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        var created = await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);

        var expected = new RegistryRecord("r1", "web", "p1", "acme", 1000, T0);
        Assert.Equal(expected, created);
        Assert.Equal(expected, await Tenants.GetRegistryAsync("web", Ct));
        Assert.Equal(expected, await Tenants.GetRegistryByIdAsync("r1", Ct));
        Assert.Null(await Tenants.GetRegistryAsync("nope", Ct));
        Assert.Null(await Tenants.GetRegistryByIdAsync("nope", Ct));
    }

    [Fact]
    public async Task RegistriesAreListedPerProject()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r2", "api", "p1", "hash", 1000, T0), Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r3", "ops", "p2", "hash", 1000, T0), Ct);

        Assert.Equal(["api", "web"], (await Tenants.ListRegistriesAsync("p1", Ct)).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["globex"], (await Tenants.ListRegistriesAsync("p2", Ct)).Select(r => r.ProjectName));
        Assert.Empty(await Tenants.ListRegistriesAsync("nope", Ct));
    }

    [Fact]
    public async Task RegistryNamesAreUniqueAcrossProjects()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateProjectAsync("p2", "globex", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "hash", 1000, T0), Ct);

        await Assert.ThrowsAsync<MetadataConflictException>(
            () => Tenants.CreateRegistryAsync(new NewRegistry("r2", "web", "p2", "hash", 1000, T0), Ct));
    }

    [Fact]
    public async Task ARegistryNeedsAnExistingProject()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(
            () => Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "missing", "hash", 1000, T0), Ct));
        Assert.IsNotType<MetadataConflictException>(error);
        Assert.Null(await Tenants.GetRegistryAsync("web", Ct));
    }

    [Fact]
    public async Task TheCredentialUsernameIsTheRegistryName()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "pbkdf2-hash", 1000, T0), Ct);

        var credential = await Tenants.GetCredentialAsync("web", Ct);
        Assert.NotNull(credential);
        Assert.Equal(("r1", "web", "pbkdf2-hash"), (credential.RegistryId, credential.Username, credential.PasswordHash));
        Assert.Equal(credential.Generation, (await Tenants.GetCredentialStateAsync("r1", Ct))?.Generation);
        Assert.Null(await Tenants.GetCredentialAsync("r1", Ct));
        Assert.Null(await Tenants.GetCredentialAsync("other", Ct));
        Assert.Null((await Tenants.GetCredentialStateAsync("missing", Ct))?.Generation);
        Assert.Equal((null, null), (credential.PreviousPasswordHash, credential.PasswordReplacedAt));
    }

    [Fact]
    public async Task AReplacedPasswordIsKeptAsThePreviousOneWithItsTime()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "first-hash", 1000, T0), Ct);
        var before = (await Tenants.GetCredentialAsync("web", Ct))!.Generation;

        Assert.Equal(before + 1, await Tenants.ReplacePasswordAsync("r1", "second-hash", T0.AddHours(1), null, Ct));
        Assert.Equal(new RegistryCredential("r1", "web", "second-hash", before + 1, "first-hash", T0.AddHours(1)),
            await Tenants.GetCredentialAsync("web", Ct));

        // Only the one replaced last is kept.
        await Tenants.ReplacePasswordAsync("r1", "third-hash", T0.AddHours(2), null, Ct);
        Assert.Equal(new RegistryCredential("r1", "web", "third-hash", before + 2, "second-hash", T0.AddHours(2)),
            await Tenants.GetCredentialAsync("web", Ct));
    }

    [Fact]
    public async Task AResetCanKeepThePreviousPasswordUntilATimeAndTheOverlapCanBeRevokedEarly()
    {
        await Tenants.CreateProjectAsync("p1", "acme", T0, Ct);
        await Tenants.CreateRegistryAsync(new NewRegistry("r1", "web", "p1", "first-hash", 1000, T0), Ct);
        var before = (await Tenants.GetCredentialAsync("web", Ct))!.Generation;
        Assert.Equal(new CredentialState(before, null), await Tenants.GetCredentialStateAsync("r1", Ct));
        Assert.Null((await Tenants.GetRegistryAsync("web", Ct))!.PreviousPasswordValidUntil);

        // Kept for a day: the credential, the state, the registry record and the listing all say until when.
        var until = T0.AddHours(25);
        Assert.Equal(before + 1, await Tenants.ReplacePasswordAsync("r1", "second-hash", T0.AddHours(1), until, Ct));
        Assert.Equal(new RegistryCredential("r1", "web", "second-hash", before + 1, "first-hash", T0.AddHours(1), until),
            await Tenants.GetCredentialAsync("web", Ct));
        Assert.Equal(new CredentialState(before + 1, until), await Tenants.GetCredentialStateAsync("r1", Ct));
        Assert.Equal(until, (await Tenants.GetRegistryAsync("web", Ct))!.PreviousPasswordValidUntil);
        Assert.Equal(until, (await Tenants.GetRegistryByIdAsync("r1", Ct))!.PreviousPasswordValidUntil);
        var listed = await Tenants.ListRegistriesAsync("p1", new ListPageRequest(10, ListSort.Ascending(ListSort.NameKey), null, null), Ct);
        Assert.Equal(until, Assert.Single(listed.Items).Registry.PreviousPasswordValidUntil);

        // Revoked early: the generation stays (the current password is untouched); a second revoke finds nothing.
        Assert.Equal(before + 1, await Tenants.RevokePreviousPasswordAsync("r1", T0.AddHours(2), Ct));
        Assert.Equal(new CredentialState(before + 1, null), await Tenants.GetCredentialStateAsync("r1", Ct));
        Assert.Null(await Tenants.RevokePreviousPasswordAsync("r1", T0.AddHours(2), Ct));

        // An overlap that is over by the clock can't be revoked either; a plain reset during an overlap ends it.
        await Tenants.ReplacePasswordAsync("r1", "third-hash", T0.AddHours(3), T0.AddHours(4), Ct);
        Assert.Null(await Tenants.RevokePreviousPasswordAsync("r1", T0.AddHours(5), Ct));
        await Tenants.ReplacePasswordAsync("r1", "fourth-hash", T0.AddHours(3), T0.AddHours(30), Ct);
        await Tenants.ReplacePasswordAsync("r1", "fifth-hash", T0.AddHours(4), null, Ct);
        Assert.Equal(new CredentialState(before + 4, null), await Tenants.GetCredentialStateAsync("r1", Ct));
        Assert.Null(await Tenants.RevokePreviousPasswordAsync("r1", T0.AddHours(4), Ct));
        Assert.Null(await Tenants.RevokePreviousPasswordAsync("missing", T0, Ct));
        Assert.Null(await Tenants.GetCredentialStateAsync("missing", Ct));
    }

    // ---- settings

    [Fact]
    public async Task SettingsAreReadSetAndOverwritten()
    {
        Assert.Null(await Tenants.GetSettingAsync("admin", Ct));
        await Tenants.SetSettingAsync("admin", "one", Ct);
        Assert.Equal("one", await Tenants.GetSettingAsync("admin", Ct));
        await Tenants.SetSettingAsync("admin", "two", Ct);
        Assert.Equal("two", await Tenants.GetSettingAsync("admin", Ct));
    }

    [Fact]
    public async Task GetOrAddSettingKeepsTheFirstValue()
    {
        Assert.Equal("first", await Tenants.GetOrAddSettingAsync("key", "first", Ct));
        Assert.Equal("first", await Tenants.GetOrAddSettingAsync("key", "second", Ct));
        Assert.Equal("first", await Tenants.GetSettingAsync("key", Ct));
    }

    [Fact]
    public async Task ConcurrentGetOrAddSettingCallsAgreeOnOneValue()
    {
        var values = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Tenants.GetOrAddSettingAsync("signing-key", $"key-{i}", Ct))));

        var stored = await Tenants.GetSettingAsync("signing-key", Ct);
        Assert.All(values, v => Assert.Equal(stored, v));
    }

    [Fact]
    public async Task ListSettingsReturnsExactlyThePrefix()
    {
        await Tenants.SetSettingAsync("dp.key.1", "one", Ct);
        await Tenants.SetSettingAsync("dp.key.2", "two", Ct);
        await Tenants.SetSettingAsync("dp.kex", "other", Ct);
        await Tenants.SetSettingAsync("dp%key.3", "wildcard-lookalike", Ct);

        var listed = await Tenants.ListSettingsAsync("dp.key.", Ct);
        Assert.Equal(new Dictionary<string, string> { ["dp.key.1"] = "one", ["dp.key.2"] = "two" }, listed);
        Assert.Empty(await Tenants.ListSettingsAsync("dp_key", Ct));
    }

    // ---- deleting a registry

    [Fact]
    public async Task AProjectIsDeletedOnlyWithoutRegistriesAndItsNameIsFreeAtOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var user = await Users.CreateUserAsync(new UserRecord("u1", "alice", "hash", false, 1, T0), Ct);
        await Users.SetMembershipAsync(registry.ProjectId, user.Id, ProjectRole.Developer, Ct);

        Assert.Equal(ProjectDeleteResult.HasRegistries, await Tenants.DeleteProjectAsync(registry.ProjectId, T0, Ct));
        Assert.NotNull(await Tenants.GetProjectAsync("acme", Ct));

        // A deleted registry (its purge pending) does not hold the project back.
        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0, Ct));
        Assert.Equal(ProjectDeleteResult.Deleted, await Tenants.DeleteProjectAsync(registry.ProjectId, T0.AddMinutes(1), Ct));
        Assert.Equal(ProjectDeleteResult.ProjectGone, await Tenants.DeleteProjectAsync(registry.ProjectId, T0, Ct));

        Assert.Null(await Tenants.GetProjectAsync("acme", Ct));
        Assert.DoesNotContain("acme", (await Tenants.ListProjectsAsync(Ct)).Select(p => p.Name));
        Assert.Empty(await Users.ListMembershipsOfUserAsync(user.Id, Ct));
        Assert.Equal(new ProjectRecord(registry.ProjectId, "acme", T0), await Tenants.GetDeletedProjectAsync("acme", Ct));
        Assert.Null(await Tenants.GetDeletedProjectAsync("globex", Ct));

        // Nothing can be added to it any more; its name makes a new project.
        await Assert.ThrowsAnyAsync<Exception>(() => Tenants.CreateRegistryAsync(new NewRegistry("r2", "web2", registry.ProjectId, "hash", 1000, T0), Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Users.SetMembershipAsync(registry.ProjectId, user.Id, ProjectRole.Owner, Ct));
        var again = await Tenants.CreateProjectAsync("p-again", "acme", T0, Ct);
        Assert.Equal(again, await Tenants.GetProjectAsync("acme", Ct));
        Assert.Equal(registry.ProjectId, (await Tenants.GetDeletedProjectAsync("acme", Ct))?.Id);

        // The purge of its registry still finishes under the deleted project.
        await PurgeRegistryAsync(registry.Id, batchSize: 1000);
        Assert.Equal(0, await CountRowsAsync("registries"));
    }

    [Fact]
    public async Task ADeletedRegistryNameIsFreeAtOnceWhileItsRecordsWaitForThePurge()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(app.Id, Manifest("m1"), [], null, "latest", T0, Ct);
        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0, Ct));

        // The old records are still there (the purge has not run), yet the name makes a new, empty registry.
        Assert.Equal(1, await CountRowsAsync("manifests"));
        var again = await Tenants.CreateRegistryAsync(new NewRegistry("id-web-2", "web", registry.ProjectId, "hash2", 1L << 30, T0), Ct);
        Assert.Equal(again.Id, (await Tenants.GetRegistryAsync("web", Ct))?.Id);
        Assert.Equal(again.Id, (await Tenants.GetCredentialAsync("web", Ct))?.RegistryId);
        Assert.Equal(["web"], (await Tenants.ListRegistriesAsync(registry.ProjectId, Ct)).Select(r => r.Name));
        Assert.Null(await Artifacts.GetRepositoryAsync(again.Id, "app", Ct));

        // A push that found the registry just before the delete creates nothing under it, before or after the purge.
        await Assert.ThrowsAsync<RegistryGoneException>(() => Artifacts.EnsureRepositoryAsync(registry.Id, "late", T0, Ct));
        await PurgeRegistryAsync(registry.Id, batchSize: 1000);
        await Assert.ThrowsAsync<RegistryGoneException>(() => Artifacts.EnsureRepositoryAsync(registry.Id, "late", T0, Ct));
        Assert.Equal(0, await CountRowsAsync("manifests"));
        Assert.Equal(1, await CountRowsAsync("registries"));
        Assert.Equal(again.Id, (await Tenants.GetRegistryAsync("web", Ct))?.Id);
    }

    [Fact]
    public async Task ADeletedRegistryLeavesNothingButItsPurgeAndAuditRows()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var survivor = await NewRegistryAsync("acme", "api");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("layer"), 10, T0, null, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [new ManifestLink(Digest("layer"), false, 10)], null, "latest", T0, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await PullStats.RecordPullsAsync([new PullCount(repository.Id, manifest.Digest, Hour, 3, Now)], Ct);
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifest.Digest, T0, Ct));

        // One store object plays every role; the audit log is the one this suite reaches through a cast.
        var auditLog = (IAuditStore)Tenants;
        var audit = new AuditEvent(T0, "admin", "registry.delete", registry.ProjectId, registry.ProjectName, registry.Id, registry.Name, "127.0.0.1", null);
        await auditLog.AppendAuditAsync(audit, Ct);

        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, T0.AddHours(1), Ct));
        Assert.False(await Tenants.DeleteRegistryAsync(registry.Id, T0.AddHours(2), Ct));

        Assert.Null(await Tenants.GetRegistryByIdAsync(registry.Id, Ct));
        Assert.Null(await Tenants.GetCredentialAsync("web", Ct));
        Assert.Null((await Tenants.GetCredentialStateAsync(registry.Id, Ct))?.Generation);
        Assert.Null(await Tenants.ReplacePasswordAsync(registry.Id, "new", T0, null, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.DoesNotContain(await Tenants.ListRegistriesAsync(registry.ProjectId, Ct), r => r.Id == registry.Id);
        Assert.Equal(StorageLimitResult.RegistryGone, await Tenants.SetStorageLimitAsync(registry.Id, 1L << 31, Ct));
        Assert.Equal(BlobAddResult.RegistryGone, await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("x"), 1, T0, null, Ct));
        Assert.False(await Artifacts.LinkBlobAsync(registry.Id, repository.Id, Digest("layer"), T0, Ct));
        Assert.False(await Uploads.UpdateUploadSizeAsync("u1", 5, T0, Ct));
        Assert.Equal([audit], await auditLog.ListAuditAsync(registry.ProjectId, registry.Id, 10, Ct));
        Assert.NotNull(await Tenants.GetRegistryByIdAsync(survivor.Id, Ct));

        // Its records go with the purge, in batches (here of one row each).
        var batches = await PurgeRegistryAsync(registry.Id, batchSize: 1);
        Assert.True(batches >= 6, $"a registry with a tag, a manifest, a link, a scan, a pull count, a blob link and a blob purged in {batches} batches of one row");
        Assert.False(await Tenants.PurgeRegistryAsync(registry.Id, 1, Ct));
        Assert.Null(await Artifacts.GetRepositoryAsync(registry.Id, "app", Ct));
        Assert.Equal(new RegistryUsage(0, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Row by row: nothing of it is left anywhere (the survivor has no rows in these tables), but the purge to do
        // and the audit entry, which outlive it by design.
        foreach (var table in new[] { "repositories", "blobs", "repository_blobs", "manifests", "manifest_links", "tags", "uploads", "scans", "pull_counts" })
        {
            Assert.True(await CountRowsAsync(table) == 0, $"{table} still has rows of the deleted registry");
        }

        Assert.Equal(1, await CountRowsAsync("registries"));
        Assert.Equal(1, await CountRowsAsync("audit_events"));
        Assert.Equal([registry.Id], await Tenants.ListPendingPurgesAsync(Ct));
        await Tenants.CompletePurgeAsync(registry.Id, Ct);
        Assert.Empty(await Tenants.ListPendingPurgesAsync(Ct));
        Assert.Equal(0, await CountRowsAsync("registry_purges"));
    }

    // ---- the storage limit, against stored and held bytes (issue 10)

    [Fact]
    public async Task AResizeBelowStoredPlusHeldBytesIsRefusedAndLeavesTheLimit()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("stored"), 30, T0, null, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 40, 10, Ct);

        Assert.Equal(StorageLimitResult.BelowUsage, await Tenants.SetStorageLimitAsync(registry.Id, 69, Ct));
        Assert.Equal(1L << 30, (await Tenants.GetRegistryByIdAsync(registry.Id, Ct))!.StorageLimitBytes);
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 70, Ct));
        Assert.Equal(70, (await Tenants.GetRegistryByIdAsync(registry.Id, Ct))!.StorageLimitBytes);
        Assert.Equal(StorageLimitResult.RegistryGone, await Tenants.SetStorageLimitAsync("missing", 70, Ct));
    }
}
