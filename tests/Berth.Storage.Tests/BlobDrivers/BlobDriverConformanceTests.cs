using System.Security.Cryptography;
using Berth.Core.Distribution;
using Berth.Core.Storage;

namespace Berth.Storage.Tests.BlobDrivers;

/// <summary>
/// The <see cref="IBlobDriver"/> contract, written once so every driver (filesystem now, S3 later) is held to the
/// same behaviour. Each test works below fresh random registry ids, so a subclass may share one bucket or
/// directory between tests.
/// </summary>
public abstract class BlobDriverConformanceTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private static readonly CancellationToken None = CancellationToken.None;

    private IBlobDriver? _driver;

    protected IBlobDriver Driver => _driver ?? throw new InvalidOperationException("InitializeAsync has not run");

    /// <summary>A fresh registry id, so paths never collide with another test's.</summary>
    protected string RegistryA { get; } = NewId();

    protected string RegistryB { get; } = NewId();

    protected abstract IBlobDriver CreateDriver();

    /// <summary>Removes whatever <see cref="CreateDriver"/> set up (a directory, a bucket prefix).</summary>
    protected abstract Task CleanupAsync();

    public Task InitializeAsync()
    {
        _driver = CreateDriver();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => CleanupAsync();

    [Fact]
    public async Task PutThenStatAndReadWhole()
    {
        var path = BlobPath(RegistryA, "hello");
        var content = Bytes(1000, seed: 1);

        await Driver.PutAsync(path, new MemoryStream(content), None);

        var stat = await Driver.StatAsync(path, None);
        Assert.NotNull(stat);
        Assert.Equal(content.Length, stat.Size);
        Assert.InRange(stat.ModifiedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(content, await ReadAsync(path));
    }

    [Fact]
    public async Task ReadFromOffsetReturnsTheTail()
    {
        var path = BlobPath(RegistryA, "offset");
        var content = Bytes(5000, seed: 2);
        await Driver.PutAsync(path, new MemoryStream(content), None);

        Assert.Equal(content[1234..], await ReadAsync(path, 1234));
        Assert.Empty(await ReadAsync(path, content.Length));
    }

    [Fact]
    public async Task PutReplacesExistingContent()
    {
        var path = BlobPath(RegistryA, "replace");
        await Driver.PutAsync(path, new MemoryStream(Bytes(3000, seed: 3)), None);
        var second = Bytes(10, seed: 4);

        await Driver.PutAsync(path, new MemoryStream(second), None);

        Assert.Equal(second, await ReadAsync(path));
        Assert.Equal(10, (await Driver.StatAsync(path, None))!.Size);
    }

    [Fact]
    public async Task PutOfEmptyContentCreatesEmptyFile()
    {
        var path = BlobPath(RegistryA, "empty");

        await Driver.PutAsync(path, new MemoryStream(), None);

        Assert.Equal(0, (await Driver.StatAsync(path, None))!.Size);
        Assert.Empty(await ReadAsync(path));
    }

    [Fact]
    public async Task ReadingMissingPathThrowsNotFound()
    {
        var path = BlobPath(RegistryA, "missing");

        var ex = await Assert.ThrowsAsync<BlobPathNotFoundException>(() => Driver.OpenReadAsync(path, 0, None));
        Assert.Equal(path, ex.Path);
    }

    [Fact]
    public async Task StatOfMissingPathIsNull()
    {
        Assert.Null(await Driver.StatAsync(BlobPath(RegistryA, "missing"), None));
    }

    [Fact]
    public async Task WriterContentBecomesVisibleOnlyOnCommit()
    {
        var path = BlobPath(RegistryA, "writer");
        var content = Bytes(70_000, seed: 5);

        await using (var writer = await Driver.OpenWriterAsync(path, append: false, None))
        {
            await writer.WriteAsync(content.AsMemory(0, 30_000), None);
            await writer.WriteAsync(content.AsMemory(30_000), None);
            Assert.Equal(content.Length, writer.Size);
            Assert.Null(await Driver.StatAsync(path, None));
            Assert.Empty(await ListAsync(BlobPaths.Registry(RegistryA)));

            await writer.CommitAsync(None);
        }

        Assert.Equal(content.Length, (await Driver.StatAsync(path, None))!.Size);
        Assert.Equal(content, await ReadAsync(path));
    }

    [Fact]
    public async Task NonAppendWriterKeepsOldContentUntilCommitThenReplacesIt()
    {
        var path = BlobPath(RegistryA, "overwrite");
        var old = Bytes(4096, seed: 6);
        var replacement = Bytes(100, seed: 7);
        await Driver.PutAsync(path, new MemoryStream(old), None);

        await using var writer = await Driver.OpenWriterAsync(path, append: false, None);
        Assert.Equal(0, writer.Size);
        await writer.WriteAsync(replacement, None);
        Assert.Equal(old, await ReadAsync(path));

        await writer.CommitAsync(None);
        Assert.Equal(replacement, await ReadAsync(path));
    }

    [Fact]
    public async Task NonAppendWriterDisposedWithoutCommitLeavesNothing()
    {
        var path = BlobPath(RegistryA, "abandoned");

        await using (var writer = await Driver.OpenWriterAsync(path, append: false, None))
        {
            await writer.WriteAsync(Bytes(1000, seed: 8), None);
        }

        Assert.Null(await Driver.StatAsync(path, None));
        Assert.Empty(await ListAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task AppendWritersContinueCommittedContentAcrossChunks()
    {
        // Three PATCH requests of a chunked upload, each with its own writer.
        var path = BlobPaths.Upload(RegistryA, NewId());
        var chunks = new[] { Bytes(10_000, seed: 9), Bytes(1, seed: 10), Bytes(65_537, seed: 11) };
        long expectedSize = 0;

        foreach (var chunk in chunks)
        {
            await using var writer = await Driver.OpenWriterAsync(path, append: true, None);
            Assert.Equal(expectedSize, writer.Size);
            await writer.WriteAsync(chunk.AsMemory(0, chunk.Length / 2), None);
            await writer.WriteAsync(chunk.AsMemory(chunk.Length / 2), None);
            expectedSize += chunk.Length;
            Assert.Equal(expectedSize, writer.Size);
            await writer.CommitAsync(None);
        }

        Assert.Equal(expectedSize, (await Driver.StatAsync(path, None))!.Size);
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), await ReadAsync(path));
    }

    [Fact]
    public async Task AppendWriterDisposedWithoutCommitKeepsWhatWasLastCommitted()
    {
        var path = BlobPaths.Upload(RegistryA, NewId());
        var committed = Bytes(5000, seed: 12);
        await using (var first = await Driver.OpenWriterAsync(path, append: true, None))
        {
            await first.WriteAsync(committed, None);
            await first.CommitAsync(None);
        }

        await using (var aborted = await Driver.OpenWriterAsync(path, append: true, None))
        {
            await aborted.WriteAsync(Bytes(3000, seed: 13), None);
            Assert.Equal(8000, aborted.Size);
        }

        Assert.Equal(committed, await ReadAsync(path));
        await using var next = await Driver.OpenWriterAsync(path, append: true, None);
        Assert.Equal(committed.Length, next.Size);
    }

    [Fact]
    public async Task WriterCannotBeUsedAfterCommit()
    {
        await using var writer = await Driver.OpenWriterAsync(BlobPath(RegistryA, "once"), append: false, None);
        await writer.WriteAsync(Bytes(10, seed: 14), None);
        await writer.CommitAsync(None);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => writer.WriteAsync(Bytes(1, seed: 15), None));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => writer.CommitAsync(None));
    }

    [Fact]
    public async Task MoveReplacesDestinationAndRemovesSource()
    {
        var source = BlobPaths.Upload(RegistryA, NewId());
        var destination = BlobPath(RegistryA, "moved");
        var content = Bytes(2048, seed: 16);
        await Driver.PutAsync(source, new MemoryStream(content), None);
        await Driver.PutAsync(destination, new MemoryStream(Bytes(99, seed: 17)), None);

        await Driver.MoveAsync(source, destination, None);

        Assert.Null(await Driver.StatAsync(source, None));
        Assert.Equal(content, await ReadAsync(destination));
    }

    [Fact]
    public async Task MoveCreatesTheDestinationsParents()
    {
        var source = BlobPaths.Upload(RegistryA, NewId());
        var destination = BlobPath(RegistryB, "fresh-tree");
        await Driver.PutAsync(source, new MemoryStream(Bytes(10, seed: 18)), None);

        await Driver.MoveAsync(source, destination, None);

        Assert.Equal(10, (await Driver.StatAsync(destination, None))!.Size);
    }

    [Fact]
    public async Task MoveOfMissingSourceThrowsNotFoundAndLeavesDestination()
    {
        var destination = BlobPath(RegistryA, "kept");
        await Driver.PutAsync(destination, new MemoryStream(Bytes(5, seed: 19)), None);

        await Assert.ThrowsAsync<BlobPathNotFoundException>(
            () => Driver.MoveAsync(BlobPaths.Upload(RegistryA, NewId()), destination, None));

        Assert.Equal(5, (await Driver.StatAsync(destination, None))!.Size);
    }

    [Fact]
    public async Task DeleteRemovesFileAndIsIdempotent()
    {
        var path = BlobPath(RegistryA, "doomed");
        var neighbour = BlobPath(RegistryA, "neighbour");
        await Driver.PutAsync(path, new MemoryStream(Bytes(10, seed: 20)), None);
        await Driver.PutAsync(neighbour, new MemoryStream(Bytes(10, seed: 21)), None);

        await Driver.DeleteAsync(path, None);
        await Driver.DeleteAsync(path, None);

        Assert.Null(await Driver.StatAsync(path, None));
        Assert.NotNull(await Driver.StatAsync(neighbour, None));
        await Assert.ThrowsAsync<BlobPathNotFoundException>(() => Driver.OpenReadAsync(path, 0, None));
    }

    [Fact]
    public async Task DeleteOfMissingPrefixIsNoOp()
    {
        await Driver.DeleteAsync(BlobPaths.Registry(RegistryA), None);

        Assert.Empty(await ListAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task DeletePrefixRemovesEverythingBelowAndLeavesSiblings()
    {
        // RegistryA + "-2" shares RegistryA's string prefix: a prefix delete must stop at the '/'.
        var lookalike = RegistryA + "-2";
        var doomed = new[] { BlobPath(RegistryA, "one"), BlobPath(RegistryA, "two"), BlobPaths.Upload(RegistryA, NewId()) };
        var kept = new[] { BlobPath(RegistryB, "one"), BlobPaths.Upload(RegistryB, NewId()), BlobPath(lookalike, "one") };
        foreach (var path in doomed.Concat(kept))
        {
            await Driver.PutAsync(path, new MemoryStream(Bytes(100, seed: path.Length)), None);
        }

        await Driver.DeleteAsync(BlobPaths.Registry(RegistryA), None);

        foreach (var path in doomed)
        {
            Assert.Null(await Driver.StatAsync(path, None));
        }

        Assert.Empty(await ListAsync(BlobPaths.Registry(RegistryA)));
        foreach (var path in kept)
        {
            Assert.Equal(100, (await Driver.StatAsync(path, None))!.Size);
        }

        await Driver.DeleteAsync(BlobPaths.Registry(RegistryB), None);
        await Driver.DeleteAsync(BlobPaths.Registry(lookalike), None);
    }

    [Fact]
    public async Task ListReturnsExactlyTheFilesBelowThePrefix()
    {
        var uploadId = NewId();
        var expected = new[]
        {
            BlobPath(RegistryA, "one"),
            BlobPath(RegistryA, "two"),
            BlobPaths.Upload(RegistryA, uploadId),
        };
        foreach (var path in expected)
        {
            await Driver.PutAsync(path, new MemoryStream(Bytes(10, seed: 22)), None);
        }

        await Driver.PutAsync(BlobPath(RegistryB, "other"), new MemoryStream(Bytes(10, seed: 23)), None);
        await using var pending = await Driver.OpenWriterAsync(BlobPath(RegistryA, "pending"), append: false, None);
        await pending.WriteAsync(Bytes(10, seed: 24), None);

        Assert.Equal(expected.Order(StringComparer.Ordinal), (await ListAsync(BlobPaths.Registry(RegistryA))).Order(StringComparer.Ordinal));
        Assert.Equal([BlobPaths.Upload(RegistryA, uploadId)], await ListAsync(BlobPaths.UploadDirectory(RegistryA, uploadId)));
        Assert.Empty(await ListAsync(BlobPaths.Registry(NewId())));
    }

    [Fact]
    public async Task LargeStreamedWriteRoundTripsByteIdentical()
    {
        var path = BlobPaths.Upload(RegistryA, NewId());
        var chunk = Bytes(MiB + 7, seed: 25);
        const long total = 20L * MiB;
        using var expectedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        await using (var writer = await Driver.OpenWriterAsync(path, append: false, None))
        {
            var remaining = total;
            var round = 0;
            while (remaining > 0)
            {
                // Varying chunk lengths and offsets, so a driver that mishandles partial buffers shows it.
                var start = round++ % 13;
                var length = (int)Math.Min(remaining, chunk.Length - start);
                var slice = chunk.AsMemory(start, length);
                expectedHash.AppendData(slice.Span);
                await writer.WriteAsync(slice, None);
                remaining -= length;
            }

            Assert.Equal(total, writer.Size);
            await writer.CommitAsync(None);
        }

        Assert.Equal(total, (await Driver.StatAsync(path, None))!.Size);
        await using var stream = await Driver.OpenReadAsync(path, 0, None);
        Assert.Equal(expectedHash.GetHashAndReset(), await SHA256.HashDataAsync(stream));
    }

    [Fact]
    public async Task ConcurrentWritersToDifferentPathsDoNotInterfere()
    {
        var contents = Enumerable.Range(0, 8)
            .Select(i => (Path: BlobPaths.Upload(RegistryA, NewId()), Content: Bytes(200_000 + i, seed: 100 + i)))
            .ToArray();

        await Task.WhenAll(contents.Select(async item =>
        {
            await using var writer = await Driver.OpenWriterAsync(item.Path, append: false, None);
            for (var offset = 0; offset < item.Content.Length; offset += 16_384)
            {
                await writer.WriteAsync(item.Content.AsMemory(offset, Math.Min(16_384, item.Content.Length - offset)), None);
                await Task.Yield();
            }

            await writer.CommitAsync(None);
        }));

        foreach (var (path, content) in contents)
        {
            Assert.Equal(content, await ReadAsync(path));
        }
    }

    protected static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Paths every driver must refuse for every operation (the shared rules of BlobPaths.CheckDriverPath).</summary>
    public static TheoryData<string> HostilePaths() =>
    [
        "../x",
        "a/../../x",
        "a/..",
        "..",
        "./x",
        "a/./b",
        "/etc/passwd",
        "/x",
        "a\\b",
        "..\\x",
        "a//b",
        "a/\0b",
        "C:/x",
        "a/.hidden",
        "a/.seg/00000000000000000000",
        "",
    ];

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task HostilePathsAreRejectedByEveryOperation(string path)
    {
        var valid = BlobPath(RegistryA, "valid");
        await Driver.PutAsync(valid, new MemoryStream([1, 2, 3]), None);

        await Assert.ThrowsAsync<ArgumentException>(() => Driver.StatAsync(path, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.OpenReadAsync(path, 0, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.OpenWriterAsync(path, append: false, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.OpenWriterAsync(path, append: true, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.PutAsync(path, new MemoryStream([1]), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.MoveAsync(valid, path, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.MoveAsync(path, valid, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.DeleteAsync(path, None));
        if (path.Length > 0)
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await Driver.ListAsync(path, None).ToListAsync());
        }

        Assert.Equal([1, 2, 3], await ReadAsync(valid));
    }

    protected static string BlobPath(string registryId, string seed) =>
        BlobPaths.Blob(registryId, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)));

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected async Task<byte[]> ReadAsync(string path, long offset = 0)
    {
        await using var stream = await Driver.OpenReadAsync(path, offset, None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected async Task<List<string>> ListAsync(string prefix) => await Driver.ListAsync(prefix, None).ToListAsync();
}
