using Berth.Core.Metadata;
using Berth.Storage.Tests.Infrastructure;
using Berth.Testing;
using Npgsql;

namespace Berth.Storage.Tests.Metadata;

/// <summary>What only a shared, multi-node store has, and PostgreSQL's own checks; a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMetadataStoreTests(PostgresServer server)
    : MetadataStoreTestBase<PostgresStoreProvider>(new PostgresStoreProvider(server))
{
    [Fact]
    public async Task NodesInitializingAFreshDatabaseAtOnceApplyEachMigrationOnce()
    {
        var database = await Provider.CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => Provider.Open(database.ConnectionString)).ToList();

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.InitializeAsync(Ct))));
        await nodes[0].InitializeAsync(Ct);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) = MAX(version) AND COUNT(*) > 0 FROM schema_migrations;", connection);
        Assert.Equal(true, await command.ExecuteScalarAsync());
        await nodes[1].CreateProjectAsync("p1", "acme", T0, Ct);
        Assert.NotNull(await nodes[2].GetProjectAsync("acme", Ct));
    }

    [Fact]
    public async Task DataAndUploadSessionsSurviveANewStoreInstance()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("layer"), 99, T0, null, Ct);
        var upload = new UploadRecord("u1", registry.Id, "app", 512, T0, T0.AddSeconds(1));
        await Uploads.CreateUploadAsync(upload, 0, 10, Ct);
        await Provider.Stores[0].DisposeAsync();

        var reopened = Provider.Open(Provider.ConnectionString);
        await reopened.InitializeAsync(Ct);

        Assert.Equal(upload, await reopened.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.Equal(registry, await reopened.GetRegistryAsync("web", Ct));
        Assert.Equal(repository, await reopened.GetRepositoryAsync(registry.Id, "app", Ct));
        Assert.Equal(99, await reopened.GetRepositoryBlobSizeAsync(repository.RegistryId, repository.Name, Digest("layer"), Ct));
    }

    [Fact]
    public async Task ForeignKeysAreEnforced()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);

        // A repository of one registry cannot receive a link recorded under another registry.
        var other = await NewRegistryAsync("globex", "ops");
        await Artifacts.AddBlobAsync(other.Id, (await Artifacts.EnsureRepositoryAsync(other.Id, "x", T0, Ct)).Id, Digest("layer"), 1, T0, null, Ct);
        var error = await Assert.ThrowsAsync<PostgresException>(
            () => Artifacts.AddBlobAsync(other.Id, repository.Id, Digest("layer"), 1, T0, null, Ct));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(repository.RegistryId, repository.Name, Digest("layer"), Ct));
    }

    [Fact]
    public async Task ABlobThatWouldExceedTheLimitIsRefusedAndNothingIsRecorded()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Tenants.SetStorageLimitAsync(registry.Id, 100, Ct);
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);

        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("a"), 60, T0, null, Ct));
        Assert.Equal(BlobAddResult.OverLimit, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("b"), 41, T0, null, Ct));
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("c"), 40, T0, null, Ct));

        // Already held: linking it elsewhere costs nothing, so the full registry still accepts it.
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("a"), 60, T0, null, Ct));
        Assert.Null(await Artifacts.GetRegistryBlobSizeAsync(registry.Id, Digest("b"), Ct));
        Assert.Equal(new RegistryUsage(100, 2), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Equal(StorageLimitResult.RegistryGone, await Tenants.SetStorageLimitAsync("missing", 1, Ct));
    }

    [Fact]
    public async Task ConcurrentAddsFromSeveralNodesNeverTakeARegistryOverItsLimit()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Tenants.SetStorageLimitAsync(registry.Id, 1000, Ct);
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var nodes = new[] { Provider.Stores[0], Provider.Open(Provider.ConnectionString), Provider.Open(Provider.ConnectionString) };

        // 3 nodes x 8 pushers x 5 distinct blobs of 100 bytes: room for exactly 10 of the 120.
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(pusher => Task.Run(async () =>
        {
            var node = nodes[pusher % nodes.Length];
            var outcomes = new List<BlobAddResult>();
            for (var i = 0; i < 5; i++)
            {
                outcomes.Add(await node.AddBlobAsync(registry.Id, repository.Id, Digest($"blob-{pusher}-{i}"), 100, T0, null, Ct));
            }

            return outcomes;
        })));

        var outcomes = results.SelectMany(r => r).ToList();
        Assert.Equal(10, outcomes.Count(o => o == BlobAddResult.Added));
        Assert.Equal(110, outcomes.Count(o => o == BlobAddResult.OverLimit));
        Assert.Equal(new RegistryUsage(1000, 1), await Artifacts.GetUsageAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task APasswordResetMovesTheGenerationOn()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var before = (await Tenants.GetCredentialAsync("web", Ct))!;

        var generation = await Tenants.ReplacePasswordAsync(registry.Id, "new-hash", T0, null, Ct);

        Assert.Equal(before.Generation + 1, generation);
        Assert.Equal(before with { PasswordHash = "new-hash", Generation = before.Generation + 1, PreviousPasswordHash = before.PasswordHash, PasswordReplacedAt = T0 }, await Tenants.GetCredentialAsync("web", Ct));
        Assert.Null(await Tenants.ReplacePasswordAsync("missing", "x", T0, null, Ct));
    }

    [Fact]
    public async Task AuditEventsAreListedNewestFirstPerProjectAndRegistry()
    {
        var store = Provider.Stores[0];
        var web = await NewRegistryAsync("acme", "web");
        AuditEvent Event(int i, string? registryId) =>
            new(T0.AddMinutes(i), "admin", $"action-{i}", web.ProjectId, "acme", registryId, registryId is null ? null : "web", null, $"detail {i}");
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAuditAsync(Event(i, i % 2 == 0 ? web.Id : null), Ct);
        }

        await store.AppendAuditAsync(new AuditEvent(T0, "admin", "other", "elsewhere", "globex", null, null, null, null), Ct);

        Assert.Equal([Event(4, web.Id), Event(3, null), Event(2, web.Id)], await store.ListAuditAsync(web.ProjectId, null, 3, Ct));
        Assert.Equal([Event(4, web.Id), Event(2, web.Id), Event(0, web.Id)], await store.ListAuditAsync(web.ProjectId, web.Id, 10, Ct));
        Assert.Empty(await store.ListAuditAsync("nobody", null, 10, Ct));
    }

    [Fact]
    public async Task UnlinkingAfterAManifestDeleteKeepsBlobsOtherManifestsStillUse()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        foreach (var blob in new[] { "config", "base", "top" })
        {
            await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest(blob), 1, T0, null, Ct);
        }

        await Artifacts.PutManifestAsync(repository.Id, Manifest("old"),
            [new(Digest("config"), false, 1), new(Digest("base"), false, 1), new(Digest("top"), false, 1)], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("new"), [new(Digest("base"), false, 1)], null, null, T0, Ct);
        await DeleteManifestNowAsync(repository.Id, Manifest("old").Digest, Ct);

        var unlinked = await Artifacts.UnlinkUnreferencedBlobsAsync(repository.Id, [Digest("config"), Digest("base"), Digest("top"), Digest("none")],
            DateTimeOffset.MaxValue, T0, Ct);

        Assert.Equal(new[] { Digest("config"), Digest("top") }.Order(StringComparer.Ordinal), unlinked.Order(StringComparer.Ordinal));
        Assert.Equal(1, await Artifacts.GetRepositoryBlobSizeAsync(repository.RegistryId, repository.Name, Digest("base"), Ct));
        Assert.Empty(await Artifacts.UnlinkUnreferencedBlobsAsync(repository.Id, [], DateTimeOffset.MaxValue, T0, Ct));
    }
}
