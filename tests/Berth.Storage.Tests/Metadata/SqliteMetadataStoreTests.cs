using Berth.Core.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Tests.Metadata;

/// <summary>What only SQLite has: its pragmas, the write gate, the WAL checkpointer and the file across reopening.</summary>
public sealed class SqliteMetadataStoreTests() : MetadataStoreTestBase<SqliteStoreProvider>(new SqliteStoreProvider())
{
    [Fact]
    public async Task EveryConnectionCommitsDurably()
    {
        var store = Provider.Stores[0];

        // Several at once, so the pool opens several physical connections: each must be configured.
        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            (Synchronous: await store.ReadPragmaAsync("synchronous", CancellationToken.None),
             Journal: await store.ReadPragmaAsync("journal_mode", CancellationToken.None))));

        // 2 is FULL: under WAL each commit fsyncs the log before it returns (NORMAL, 1, could lose the last ones).
        Assert.All(reads, r => Assert.Equal(("2", "wal"), r));
    }

    [Fact]
    public async Task DataAndUploadSessionsSurviveReopeningTheFile()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, CancellationToken.None);
        await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("layer"), 99, T0, null, CancellationToken.None);
        var upload = new UploadRecord("u1", registry.Id, "app", 512, T0, T0.AddSeconds(1));
        await Uploads.CreateUploadAsync(upload, 0, 10, CancellationToken.None);
        Provider.Stores[0].Dispose();

        var reopened = Provider.Open();
        await reopened.InitializeAsync(CancellationToken.None);

        Assert.Equal(upload, await reopened.GetUploadAsync(registry.Id, "u1", CancellationToken.None));
        Assert.Equal(registry, await reopened.GetRegistryAsync("web", CancellationToken.None));
        Assert.Equal(repository, await reopened.GetRepositoryAsync(registry.Id, "app", CancellationToken.None));
        Assert.Equal(99, await reopened.GetRepositoryBlobSizeAsync(repository.RegistryId, repository.Name, Digest("layer"), CancellationToken.None));
    }

    [Fact]
    public async Task InitializingRepeatedlyAndConcurrentlyAppliesEachMigrationOnce()
    {
        var others = Enumerable.Range(0, 4).Select(_ => Provider.Open()).ToList();
        await Task.WhenAll(others.Select(s => Task.Run(() => s.InitializeAsync(CancellationToken.None))));
        await others[0].InitializeAsync(CancellationToken.None);

        await using var connection = new SqliteConnection($"Data Source={Provider.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) = MAX(version) FROM schema_migrations;";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ReadsAreRefusedWritesSoEveryWriteWaitsItsTurn()
    {
        var store = Provider.Stores[0];

        // Every operation that writes opens a writer's connection (SqliteWriteGate); the others cannot write at all.
        Assert.Equal("1", await store.ReadPragmaAsync("query_only", CancellationToken.None));
    }

    [Fact]
    public async Task APurgeBatchCommitsWithoutASyncButLeavesEveryConnectionDurable()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, CancellationToken.None);
        await Artifacts.AddBlobAsync(registry.Id, repository.Id, Digest("layer"), 99, T0, null, CancellationToken.None);
        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, repository.Id, T0, CancellationToken.None));
        RepositoryPurgeStep step;
        do
        {
            step = await Artifacts.PurgeRepositoryAsync(repository.Id, 1, CancellationToken.None);
        }
        while (step.More);

        // The purge's pooled connection is the next one handed out: it must be back to FULL (2) for what comes next.
        var store = Provider.Stores[0];
        var reads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.ReadPragmaAsync("synchronous", CancellationToken.None)));
        Assert.All(reads, r => Assert.Equal("2", r));
        await Tenants.CreateProjectAsync("p-after", "after", T0, CancellationToken.None);
        Assert.Equal(0, await CountRowsAsync("repositories"));
    }

    [Fact]
    public async Task TheLogIsCheckpointedInTheBackgroundNotByTheWritersCommits()
    {
        // Commits never checkpoint (wal_autocheckpoint=0): without the background checkpointer the log would only grow.
        var walPath = Provider.DatabasePath + "-wal";
        var before = CheckpointSequence(walPath);
        for (var i = 0; i < 50; i++)
        {
            await Tenants.CreateProjectAsync($"p{i}", $"project-{i}", T0, CancellationToken.None);
        }

        // The first write after a complete checkpoint starts the log over, which bumps the sequence in its header.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var n = 0;
        while (CheckpointSequence(walPath) == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            await Tenants.CreateProjectAsync($"q{n}", $"later-{n++}", T0, CancellationToken.None);
        }

        Assert.NotEqual(before, CheckpointSequence(walPath));
    }

    /// <summary>The checkpoint sequence number of a WAL file's header (bytes 12–15, big-endian).</summary>
    private static uint CheckpointSequence(string walPath)
    {
        using var file = new FileStream(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }

    [Fact]
    public async Task ForeignKeysAreEnforced()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, CancellationToken.None);

        // A repository of one registry cannot receive a link recorded under another registry.
        var other = await NewRegistryAsync("globex", "ops");
        await Artifacts.AddBlobAsync(other.Id, (await Artifacts.EnsureRepositoryAsync(other.Id, "x", T0, CancellationToken.None)).Id,
            Digest("layer"), 1, T0, null, CancellationToken.None);
        await Assert.ThrowsAsync<SqliteException>(
            () => Artifacts.AddBlobAsync(other.Id, repository.Id, Digest("layer"), 1, T0, null, CancellationToken.None));
        Assert.Null(await Artifacts.GetRepositoryBlobSizeAsync(repository.RegistryId, repository.Name, Digest("layer"), CancellationToken.None));
    }
}
