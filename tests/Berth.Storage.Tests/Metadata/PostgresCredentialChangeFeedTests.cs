using Berth.Core.Metadata;
using Berth.Metadata.Postgres;
using Berth.Storage.Tests.Infrastructure;
using Berth.Testing;
using Npgsql;

namespace Berth.Storage.Tests.Metadata;

/// <summary>The LISTEN/NOTIFY credential feed between two stores ("nodes") on one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCredentialChangeFeedTests(PostgresServer server) : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly CancellationToken Ct = CancellationToken.None;

    // The promise to other nodes: a change is seen within a second.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    // (Re)connecting and LISTENing is not a change: a loaded CI machine may take longer than that for it.
    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stop = new();
    private PostgresDatabase _database = null!;
    private PostgresMetadataStore _writer = null!;
    private PostgresMetadataStore _watcher = null!;
    private IAsyncEnumerator<CredentialChange> _feed = null!;

    public async Task InitializeAsync()
    {
        _database = await server.CreateDatabaseAsync();
        _writer = PostgresStoreProvider.NewStore(_database.ConnectionString);
        _watcher = PostgresStoreProvider.NewStore(_database.ConnectionString);
        await _writer.InitializeAsync(Ct);
        await _writer.CreateProjectAsync("p1", "acme", T0, Ct);
        _feed = _watcher.WatchAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _feed.MoveNextAsync());
        await _feed.DisposeAsync();
        await _writer.DisposeAsync();
        await _watcher.DisposeAsync();
        await _database.DisposeAsync();
    }

    // xUnit calls this after DisposeAsync.
    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task TheFeedStartsWithMayHaveMissedChanges() =>
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

    [Fact]
    public async Task APasswordResetOnOneNodeIsSeenByAnotherWithItsGeneration()
    {
        var registry = await NewRegistryAsync("r1", "web");
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        var generation = await _writer.ReplacePasswordAsync(registry.Id, "new-hash", T0, null, Ct);
        Assert.Equal(new CredentialChange(registry.Id, generation), await NextAsync());

        generation = await _writer.ReplacePasswordAsync(registry.Id, "newer-hash", T0, null, Ct);
        Assert.Equal(new CredentialChange(registry.Id, generation), await NextAsync());
    }

    [Fact]
    public async Task ARegistryDeleteIsSeenWithoutAGeneration()
    {
        var registry = await NewRegistryAsync("r1", "web");
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        Assert.True(await _writer.DeleteRegistryAsync(registry.Id, T0, Ct));

        Assert.Equal(new CredentialChange(registry.Id, null), await NextAsync());
    }

    [Fact]
    public async Task ATokenRevocationIsSeenWithTheTokenAndRevokeAllWithTheGenerationAndEveryToken()
    {
        var registry = await NewRegistryAsync("r1", "web");
        foreach (var (id, name) in new[] { ("t1", "a"), ("t2", "b"), ("t3", "c") })
        {
            await _writer.CreateRegistryTokenAsync(new RegistryTokenRecord(id, registry.Id, name, new string('a', 64), "pull", [], T0, null, null, null, null, null), Ct);
        }

        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        Assert.True(await _writer.RevokeRegistryTokenAsync(registry.Id, "t1", T0, Ct));
        Assert.Equal(CredentialChange.TokenRevoked(registry.Id, "t1"), await NextAsync());

        // Revoking it again changes nothing and announces nothing: the next change is the revoke-all.
        Assert.False(await _writer.RevokeRegistryTokenAsync(registry.Id, "t1", T0, Ct));
        var revocation = await _writer.RevokeAllCredentialsAsync(registry.Id, "new-hash", T0, Ct);
        Assert.Equal(new CredentialChange(registry.Id, revocation!.Generation), await NextAsync());
        Assert.Equal(["t2", "t3"], new[] { await NextAsync(), await NextAsync() }.Select(c => c.RevokedTokenId).Order());
    }

    [Fact]
    public async Task AFederationRuleDeleteIsSeenWithTheRule()
    {
        var registry = await NewRegistryAsync("r1", "web");
        var rule = new FederationRuleRecord("rule-1", registry.Id, "ci", "https://issuer.example", "berth",
            new Dictionary<string, string>(), ["pull"], [], 15, T0, "admin", null);
        Assert.NotNull(await _writer.CreateFederationRuleAsync(rule, 10, Ct));
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        Assert.False(await _writer.DeleteFederationRuleAsync(registry.Id, "no-such-rule", Ct));
        Assert.True(await _writer.DeleteFederationRuleAsync(registry.Id, rule.Id, Ct));

        // The missing rule's delete announced nothing: the next change is the real one.
        Assert.Equal(new CredentialChange(registry.Id, null) { DeletedFederationRuleId = "rule-1" }, await NextAsync());
    }

    [Fact]
    public async Task ChangesThatDidNotHappenAreNotAnnounced()
    {
        var registry = await NewRegistryAsync("r1", "web");
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        // Unknown registries: nothing changes, nothing is sent.
        Assert.Null(await _writer.ReplacePasswordAsync("missing", "x", T0, null, Ct));
        Assert.False(await _writer.DeleteRegistryAsync("missing", T0, Ct));

        // A reset cancelled while it waits for the registry row (locked here) is rolled back, unannounced.
        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM registries WHERE id = 'r1' FOR UPDATE;", connection, transaction))
            {
                await lockRow.ExecuteNonQueryAsync();
            }

            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _writer.ReplacePasswordAsync(registry.Id, "cancelled", T0, null, cancel.Token));
            await transaction.CommitAsync();
        }

        Assert.Equal(1, (await _writer.GetCredentialStateAsync(registry.Id, Ct))?.Generation);

        // The first change to arrive is the next real one.
        var generation = await _writer.ReplacePasswordAsync(registry.Id, "real", T0, null, Ct);
        Assert.Equal(2, generation);
        Assert.Equal(new CredentialChange(registry.Id, 2), await NextAsync());
    }

    [Fact]
    public async Task AResetWithAnOverlapAndItsEarlyRevocationAreSeenWithTheOverlapsEnd()
    {
        var registry = await NewRegistryAsync("r1", "web");
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        var until = T0.AddDays(1).AddMilliseconds(123);
        var generation = await _writer.ReplacePasswordAsync(registry.Id, "new-hash", T0, until, Ct);
        Assert.Equal(new CredentialChange(registry.Id, generation) { PreviousValidUntil = until }, await NextAsync());

        // Same generation, no overlap any more.
        Assert.Equal(generation, await _writer.RevokePreviousPasswordAsync(registry.Id, T0, Ct));
        Assert.Equal(new CredentialChange(registry.Id, generation), await NextAsync());

        // Nothing to revoke: nothing announced; the next change is the next real one.
        Assert.Null(await _writer.RevokePreviousPasswordAsync(registry.Id, T0, Ct));
        generation = await _writer.ReplacePasswordAsync(registry.Id, "newer-hash", T0, null, Ct);
        Assert.Equal(new CredentialChange(registry.Id, generation), await NextAsync());
    }

    [Fact]
    public async Task AfterLosingItsConnectionTheFeedReconnectsAndSaysItMayHaveMissedChanges()
    {
        var registry = await NewRegistryAsync("r1", "web");
        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));

        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand(
                """
                SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN berth_credentials%';
                """, connection);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        Assert.Equal(CredentialChange.MayHaveMissedChanges, await NextAsync(ConnectDeadline));
        var generation = await _writer.ReplacePasswordAsync(registry.Id, "new-hash", T0, null, Ct);
        Assert.Equal(new CredentialChange(registry.Id, generation), await NextAsync());
    }

    private async Task<RegistryRecord> NewRegistryAsync(string id, string name) =>
        await _writer.CreateRegistryAsync(new NewRegistry(id, name, "p1", "hash", 1L << 30, T0), Ct);

    private async Task<CredentialChange> NextAsync(TimeSpan? deadline = null)
    {
        Assert.True(await _feed.MoveNextAsync().AsTask().WaitAsync(deadline ?? Deadline));
        return _feed.Current;
    }
}
