using Berth.Core.Storage;
using Berth.Storage.FileSystem;

namespace Berth.Storage.Tests.BlobDrivers;

public sealed class FileSystemBlobDriverTests : BlobDriverConformanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "berth-fs-tests-" + Guid.NewGuid().ToString("N"));

    private FileSystemBlobDriver FileSystemDriver => (FileSystemBlobDriver)Driver;

    protected override IBlobDriver CreateDriver() => new FileSystemBlobDriver(_root);

    protected override Task CleanupAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void HostilePathsHaveNoLocalPath(string path) =>
        Assert.Throws<ArgumentException>(() => FileSystemDriver.GetLocalPath(path));

    [Fact]
    public async Task TraversalDoesNotTouchFilesOutsideTheRoot()
    {
        var outside = _root + "-outside";
        Directory.CreateDirectory(outside);
        try
        {
            var victim = Path.Combine(outside, "victim");
            await File.WriteAllBytesAsync(victim, [42]);
            var escape = "../" + Path.GetFileName(outside) + "/victim";

            await Assert.ThrowsAsync<ArgumentException>(() => Driver.DeleteAsync(escape, None));
            await Assert.ThrowsAsync<ArgumentException>(() => Driver.PutAsync(escape, new MemoryStream([0]), None));

            Assert.Equal([42], await File.ReadAllBytesAsync(victim));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task FilePathsMayNotEndWithASlash()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.StatAsync(BlobPaths.Registry(RegistryA), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.OpenWriterAsync(BlobPaths.Registry(RegistryA), append: false, None));
    }

    [Fact]
    public async Task AbandonedNonAppendWriterLeavesNoTempFileBehind()
    {
        var path = BlobPath(RegistryA, "abandoned");

        await using (var writer = await Driver.OpenWriterAsync(path, append: false, None))
        {
            await writer.WriteAsync(Bytes(10_000, seed: 1), None);
            Assert.Single(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
        }

        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
        Assert.False(File.Exists(FileSystemDriver.GetLocalPath(path)));
    }

    [Fact]
    public async Task CommittedWriteLeavesOnlyTheTargetFile()
    {
        var path = BlobPath(RegistryA, "committed");

        await Driver.PutAsync(path, new MemoryStream(Bytes(100, seed: 2)), None);

        Assert.Equal([FileSystemDriver.GetLocalPath(path)], Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    /// <summary>
    /// A writer opened in a fresh directory while other uploads' directories are deleted, which prunes their parents
    /// once empty (up to the registry's directory): when a parent is pruned between being found and the writer's own
    /// directory being created, the writer must try again, not fail. Found by a registry taking thousands of
    /// concurrent monolithic uploads (500 on POST …/blobs/uploads/?digest=, DirectoryNotFoundException from
    /// Directory.CreateDirectory). Pruners delete uploads written straight to disk, so the parents are empty as
    /// often as possible; the run is bounded by rounds and time.
    /// </summary>
    [Fact]
    public async Task WritersInFreshDirectoriesSurviveConcurrentPruningOfTheirParents()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var writes = 0;
        bool Running() => failures.IsEmpty && DateTime.UtcNow < deadline;

        var pruners = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (Running())
            {
                var id = NewId();
                try
                {
                    var local = FileSystemDriver.GetLocalPath(BlobPaths.Upload(RegistryA, id));
                    Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                    await File.WriteAllBytesAsync(local, [1]);
                }
                catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
                {
                    // The test's own set-up lost the same race; only the driver's writers are under test.
                    continue;
                }

                await Driver.DeleteAsync(BlobPaths.UploadDirectory(RegistryA, id), None);
            }
        }));
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (Running())
            {
                var id = NewId();
                try
                {
                    await using (await Driver.OpenWriterAsync(BlobPaths.Upload(RegistryA, id), append: false, None))
                    {
                        Interlocked.Increment(ref writes);
                    }

                    await Driver.DeleteAsync(BlobPaths.UploadDirectory(RegistryA, id), None);
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            }
        }));
        await Task.WhenAll(pruners.Concat(writers)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(failures.IsEmpty, $"a writer failed after {writes} successful opens: {failures.FirstOrDefault()}");
        Assert.True(writes > 100, $"only {writes} writers were opened");
    }

    [Fact]
    public void GetLocalPathStaysUnderTheRoot()
    {
        var path = BlobPath(RegistryA, "local");

        var local = FileSystemDriver.GetLocalPath(path);

        Assert.True(Path.IsPathRooted(local));
        Assert.StartsWith(Path.GetFullPath(_root) + Path.DirectorySeparatorChar, local, StringComparison.Ordinal);
        Assert.Equal(Path.Combine([Path.GetFullPath(_root), .. path.Split('/')]), local);
    }

    [Fact]
    public async Task LocalPathHoldsTheCommittedBytes()
    {
        var path = BlobPath(RegistryA, "sendfile");
        var content = Bytes(1234, seed: 3);

        await Driver.PutAsync(path, new MemoryStream(content), None);

        Assert.Equal(content, await File.ReadAllBytesAsync(FileSystemDriver.GetLocalPath(path)));
    }

    [Fact]
    public async Task DeletingTheLastFileRemovesItsEmptyDirectories()
    {
        var path = BlobPath(RegistryA, "only");
        await Driver.PutAsync(path, new MemoryStream([1]), None);

        await Driver.DeleteAsync(path, None);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
        Assert.True(Directory.Exists(_root));
    }

    [Fact]
    public async Task MovingAnUploadOutRemovesItsEmptyDirectory()
    {
        var uploadId = NewId();
        var keptUpload = BlobPaths.Upload(RegistryA, NewId());
        await Driver.PutAsync(BlobPaths.Upload(RegistryA, uploadId), new MemoryStream([1]), None);
        await Driver.PutAsync(keptUpload, new MemoryStream([2]), None);

        await Driver.MoveAsync(BlobPaths.Upload(RegistryA, uploadId), BlobPath(RegistryA, "blob"), None);

        Assert.False(Directory.Exists(Path.Combine(_root, BlobPaths.UploadDirectory(RegistryA, uploadId))));
        Assert.NotNull(await Driver.StatAsync(keptUpload, None));
    }

    [Fact]
    public async Task ListWithEmptyPrefixListsTheWholeRoot()
    {
        await Driver.PutAsync(BlobPath(RegistryA, "a"), new MemoryStream([1]), None);
        await Driver.PutAsync(BlobPath(RegistryB, "b"), new MemoryStream([2]), None);

        var all = await Driver.ListAsync("", None).ToListAsync();

        Assert.Equal(new[] { BlobPath(RegistryA, "a"), BlobPath(RegistryB, "b") }.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryNameACommitMoveOrDeleteChangesIsSyncedInItsDirectoryAfterwards()
    {
        // Each directory sync with the names the directory held at that moment: a new name must be in a sync of its
        // directory made after it appeared, a removed one absent from one made after it went.
        var syncs = new List<(string Directory, HashSet<string> Names)>();
        var driver = new FileSystemBlobDriver(_root)
        {
            SyncDirectory = directory =>
            {
                DirectorySync.Flush(directory);
                var names = Directory.EnumerateFileSystemEntries(directory).Select(e => Path.GetFileName(e)).ToHashSet(StringComparer.Ordinal);
                lock (syncs)
                {
                    syncs.Add((directory, names));
                }
            },
        };
        var upload = BlobPaths.Upload(RegistryA, NewId());
        var blob = BlobPath(RegistryA, "synced");

        // A file in directories that do not exist yet: the file and every directory created on the way.
        await driver.PutAsync(upload, new MemoryStream([1, 2, 3]), None);
        AssertNamesSynced(syncs, upload, below: "");

        syncs.Clear();
        await driver.MoveAsync(upload, blob, None);
        AssertNamesSynced(syncs, blob, below: BlobPaths.Registry(RegistryA));

        // The delete prunes the emptied tree up to the root, which is synced without it.
        syncs.Clear();
        await driver.DeleteAsync(blob, None);
        Assert.Contains(syncs, s => s.Directory == _root && s.Names.Count == 0);
    }

    [Fact]
    public void DirectorySyncSyncsADirectoryAndReportsAMissingOne()
    {
        Directory.CreateDirectory(_root);
        DirectorySync.Flush(_root);
        Assert.Throws<DirectoryNotFoundException>(() => DirectorySync.Flush(Path.Combine(_root, "missing")));
    }

    /// <summary>Each name of <paramref name="path"/> below <paramref name="below"/> is in a sync of its parent.</summary>
    private void AssertNamesSynced(List<(string Directory, HashSet<string> Names)> syncs, string path, string below)
    {
        var full = FileSystemDriver.GetLocalPath(path);
        var stop = Path.TrimEndingDirectorySeparator(Path.Combine(_root, below));
        for (var entry = full; entry != stop; entry = Path.GetDirectoryName(entry)!)
        {
            var parent = Path.GetDirectoryName(entry)!;
            var name = Path.GetFileName(entry);
            Assert.True(syncs.Any(s => s.Directory == parent && s.Names.Contains(name)),
                $"'{name}' was never synced in '{parent}'; syncs: {string.Join("; ", syncs.Select(s => s.Directory + " [" + string.Join(",", s.Names) + "]"))}");
        }
    }

    [Fact]
    public async Task DataSurvivesANewDriverInstanceOnTheSameRoot()
    {
        var path = BlobPath(RegistryA, "durable");
        await Driver.PutAsync(path, new MemoryStream([7, 8, 9]), None);

        var reopened = new FileSystemBlobDriver(_root);

        await using var stream = await reopened.OpenReadAsync(path, 1, None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal([8, 9], copy.ToArray());
    }
}
