using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3.Model;
using Berth.Core.Storage;
using Berth.Storage.S3;
using Berth.Storage.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Storage.Tests.BlobDrivers;

/// <summary>
/// The S3 driver against a real S3 server (s3rver, see <see cref="S3Server"/>). Each test class instance works below
/// its own key prefix in the server's bucket, so the conformance suite's assumptions (an empty store per test) hold.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3BlobDriverTests(S3Server server) : BlobDriverConformanceTests
{
    private const int MiB = 1024 * 1024;
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N") + "/";
    private readonly List<S3BlobDriver> _drivers = [];

    protected override IBlobDriver CreateDriver() => NewDriver();

    protected override async Task CleanupAsync()
    {
        using var client = server.CreateClient();
        foreach (var key in await RawKeysAsync(""))
        {
            await client.DeleteObjectAsync(server.Bucket, key);
        }

        foreach (var driver in _drivers)
        {
            driver.Dispose();
        }
    }

    [Fact]
    public async Task LargeWriteStreamsThroughMultipartParts()
    {
        var path = BlobPaths.Upload(RegistryA, NewId());
        var driver = NewDriver(partSize: 5 * MiB);
        var chunk = Bytes(MiB + 3, seed: 1);
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var mark = server.LogLineCount;

        await using (var writer = await driver.OpenWriterAsync(path, append: false, None))
        {
            for (long written = 0; written < 40L * MiB; written += chunk.Length)
            {
                var slice = chunk.AsMemory(0, (int)Math.Min(chunk.Length, 40L * MiB - written));
                expected.AppendData(slice.Span);
                await writer.WriteAsync(slice, None);
            }

            await writer.CommitAsync(None);
        }

        // s3rver's ETags don't count parts, but its log shows each one it stored: 40 MiB in 5 MiB parts is 8.
        Assert.Equal(8, server.LogSince(mark).Count(line => line.Contains("Stored part", StringComparison.Ordinal)));
        Assert.Equal(40L * MiB, (await driver.StatAsync(path, None))!.Size);
        await using var stream = await driver.OpenReadAsync(path, 0, None);
        Assert.Equal(expected.GetHashAndReset(), await SHA256.HashDataAsync(stream));
    }

    [Fact]
    public async Task ReadingAFinishedFileUpToItsLengthIsOneGetAndNoListing()
    {
        var driver = (S3BlobDriver)Driver;
        var blob = BlobPath(RegistryA, "one-get");
        var content = Bytes(300_000, seed: 11);
        await driver.PutAsync(blob, new MemoryStream(content), None);
        var requests = RecordRequests(driver);

        // A blob GET with a Range: open at the start, read the length it knows, stop.
        await using (var stream = await driver.OpenReadAsync(blob, 1000, None))
        {
            var part = new byte[content.Length - 1000];
            await stream.ReadExactlyAsync(part, None);
            Assert.Equal(content[1000..], part);
        }

        Assert.Equal(["GetObjectRequest"], requests);

        // Reading on to the end lists once, to learn that no segment follows.
        requests.Clear();
        Assert.Equal(content, await ReadAsync(blob));
        Assert.Equal(["GetObjectRequest", "ListObjectsV2Request"], requests);

        // A file still made of segments reads on into them after that one listing.
        var upload = BlobPaths.Upload(RegistryA, NewId());
        var chunks = new[] { Bytes(1000, seed: 12), Bytes(2000, seed: 13) };
        await AppendAllAsync(upload, chunks);
        requests.Clear();
        Assert.Equal(chunks.SelectMany(c => c).ToArray()[10..], await ReadAsync(upload, 10));
        Assert.Equal(["GetObjectRequest", "ListObjectsV2Request", "GetObjectRequest"], requests);
    }

    [Fact]
    public async Task ChunkedUploadAcrossNodesMovesToTheExactConcatenation()
    {
        var upload = BlobPaths.Upload(RegistryA, NewId());
        var blob = BlobPath(RegistryA, "chunked");
        var chunks = new[] { Bytes(7 * MiB, seed: 2), Bytes(3, seed: 3), Bytes(6 * MiB, seed: 4) };
        await NewDriver().PutAsync(upload, Stream.Null, None);

        long size = 0;
        foreach (var chunk in chunks)
        {
            // Every PATCH on another node: a driver of its own, sharing nothing but the bucket.
            await using var writer = await NewDriver(partSize: 5 * MiB).OpenWriterAsync(upload, append: true, None);
            Assert.Equal(size, writer.Size);
            for (var offset = 0; offset < chunk.Length; offset += MiB)
            {
                await writer.WriteAsync(chunk.AsMemory(offset, Math.Min(MiB, chunk.Length - offset)), None);
            }

            await writer.CommitAsync(None);
            size += chunk.Length;
            Assert.Equal(size, (await NewDriver().StatAsync(upload, None))!.Size);
        }

        var expected = chunks.SelectMany(c => c).ToArray();
        Assert.Equal(expected, await ReadAsync(upload));
        Assert.Equal([upload], await ListAsync(BlobPaths.UploadDirectory(RegistryA, BlobPathUploadId(upload))));

        await Driver.MoveAsync(upload, blob, None);

        Assert.Equal(expected, await ReadAsync(blob));
        Assert.Null(await Driver.StatAsync(upload, None));
        Assert.Equal([Key(blob)], await RawKeysAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task MoveComposesSegmentsLargeEnoughToCopyServerSide()
    {
        // Every piece but the last is a valid part, so the driver composes with UploadPartCopy, or, on a server
        // without it (s3rver), falls back to streaming.
        var upload = BlobPaths.Upload(RegistryA, NewId());
        var blob = BlobPath(RegistryA, "composed");
        var chunks = new[] { Bytes(5 * MiB, seed: 5), Bytes(5 * MiB + 1, seed: 6), Bytes(1000, seed: 7) };
        await AppendAllAsync(upload, chunks);

        await Driver.MoveAsync(upload, blob, None);

        Assert.Equal(chunks.SelectMany(c => c).ToArray(), await ReadAsync(blob));
        Assert.Equal([Key(blob)], await RawKeysAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task RangedReadsStartAnywhereInAnyPiece()
    {
        var upload = BlobPaths.Upload(RegistryA, NewId());
        var chunks = new[] { Bytes(300_000, seed: 8), Bytes(5, seed: 9), Bytes(200_000, seed: 10) };
        var whole = chunks.SelectMany(c => c).ToArray();
        await AppendAllAsync(upload, chunks);
        var blob = BlobPath(RegistryA, "ranged");
        await Driver.PutAsync(blob, new MemoryStream(whole), None);

        foreach (var offset in new long[] { 0, 1, 150_000, 299_999, 300_000, 300_003, 300_005, 400_000, whole.Length - 1 })
        {
            Assert.Equal(whole[(int)offset..], await ReadAsync(upload, offset));
            Assert.Equal(whole[(int)offset..], await ReadAsync(blob, offset));
        }

        // What the blob handler does for a Range request: open at the start, read the length.
        await using var stream = await Driver.OpenReadAsync(upload, 299_990, None);
        var middle = new byte[100];
        await stream.ReadExactlyAsync(middle, None);
        Assert.Equal(whole[299_990..300_090], middle);
    }

    [Fact]
    public async Task DeletingARegistryTreeRemovesItsSegmentsAndLeavesOtherRegistries()
    {
        var uploadA = BlobPaths.Upload(RegistryA, NewId());
        var uploadB = BlobPaths.Upload(RegistryB, NewId());
        await AppendAllAsync(uploadA, [Bytes(100, seed: 11), Bytes(100, seed: 12)]);
        await AppendAllAsync(uploadB, [Bytes(100, seed: 13), Bytes(100, seed: 14)]);
        var blobA = BlobPath(RegistryA, "a");
        var blobB = BlobPath(RegistryB, "b");
        await Driver.PutAsync(blobA, new MemoryStream(Bytes(10, seed: 15)), None);
        await Driver.PutAsync(blobB, new MemoryStream(Bytes(10, seed: 16)), None);

        await Driver.DeleteAsync(BlobPaths.Registry(RegistryA), None);

        Assert.Empty(await RawKeysAsync(BlobPaths.Registry(RegistryA)));
        Assert.Equal(200, (await Driver.StatAsync(uploadB, None))!.Size);
        Assert.Equal(10, (await Driver.StatAsync(blobB, None))!.Size);
        Assert.Equal(3, (await RawKeysAsync(BlobPaths.Registry(RegistryB))).Count);
    }

    [Fact]
    public async Task DeletingAFileRemovesItsSegments()
    {
        var upload = BlobPaths.Upload(RegistryA, NewId());
        await AppendAllAsync(upload, [Bytes(100, seed: 17), Bytes(100, seed: 18), Bytes(100, seed: 19)]);

        await Driver.DeleteAsync(upload, None);

        Assert.Null(await Driver.StatAsync(upload, None));
        Assert.Empty(await RawKeysAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task ReplacingAFileDropsItsOldSegments()
    {
        var path = BlobPaths.Upload(RegistryA, NewId());
        await AppendAllAsync(path, [Bytes(100, seed: 20), Bytes(100, seed: 21)]);
        var replacement = Bytes(50, seed: 22);

        await Driver.PutAsync(path, new MemoryStream(replacement), None);

        Assert.Equal(replacement, await ReadAsync(path));
        Assert.Equal([Key(path)], await RawKeysAsync(BlobPaths.Registry(RegistryA)));
    }

    [Fact]
    public async Task PresignedUrlDownloadsTheBlobWithAPlainHttpClient()
    {
        var path = BlobPath(RegistryA, "redirect");
        var content = Bytes(70_000, seed: 23);
        var driver = NewDriver(redirectGets: true);
        await driver.PutAsync(path, new MemoryStream(content), None);

        var url = await driver.GetRedirectUrlAsync(path, TimeSpan.FromMinutes(5), None);

        Assert.NotNull(url);
        Assert.Contains("X-Amz-Signature=", url.Query, StringComparison.Ordinal);
        using var http = new HttpClient();
        // No credentials but the URL's (s3rver doesn't check SigV4 signatures, so only the URL's shape is tested).
        Assert.Equal(content, await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task NoRedirectWhenDisabledMissingOrStillSegmented()
    {
        var blob = BlobPath(RegistryA, "plain");
        await Driver.PutAsync(blob, new MemoryStream([1, 2, 3]), None);
        var upload = BlobPaths.Upload(RegistryA, NewId());
        await AppendAllAsync(upload, [Bytes(10, seed: 24), Bytes(10, seed: 25)]);
        var redirecting = NewDriver(redirectGets: true);

        Assert.Null(await ((IRedirectingBlobDriver)Driver).GetRedirectUrlAsync(blob, TimeSpan.FromMinutes(1), None));
        Assert.Null(await redirecting.GetRedirectUrlAsync(BlobPath(RegistryA, "missing"), TimeSpan.FromMinutes(1), None));
        Assert.Null(await redirecting.GetRedirectUrlAsync(upload, TimeSpan.FromMinutes(1), None));
    }

    [Fact]
    public async Task AbandonedMultipartWriterLeavesNoObjectAndAbortsItsUpload()
    {
        var path = BlobPath(RegistryA, "abandoned");
        var driver = NewDriver(partSize: 5 * MiB);
        var mark = server.LogLineCount;

        await using (var writer = await driver.OpenWriterAsync(path, append: false, None))
        {
            await writer.WriteAsync(Bytes(12 * MiB, seed: 26), None);
        }

        Assert.Null(await driver.StatAsync(path, None));
        Assert.Empty(await RawKeysAsync(""));
        var log = server.LogSince(mark);
        Assert.Equal(2, log.Count(line => line.Contains("Stored part", StringComparison.Ordinal)));
        // s3rver has neither AbortMultipartUpload nor ListMultipartUploads, so the most it can show is that the
        // driver asked: the abort is the request on the object's key with only the upload id (s3rver answers 405).
        Assert.Contains(log, line => line.Contains(Key(path) + "?uploadId=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppendOfNothingAddsNoSegment()
    {
        var path = BlobPaths.Upload(RegistryA, NewId());
        await AppendAllAsync(path, [Bytes(10, seed: 27)]);

        await using (var writer = await Driver.OpenWriterAsync(path, append: true, None))
        {
            await writer.CommitAsync(None);
        }

        Assert.Equal([Key(path)], await RawKeysAsync(BlobPaths.Registry(RegistryA)));
        Assert.Equal(10, (await Driver.StatAsync(path, None))!.Size);
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task HostilePathsTouchNoObject(string path)
    {
        var valid = BlobPath(RegistryA, "valid");
        await Driver.PutAsync(valid, new MemoryStream([1, 2, 3]), None);
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.PutAsync(path, new MemoryStream([1]), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Driver.DeleteAsync(path, None));
        Assert.Equal([Key(valid)], await RawKeysAsync(""));
    }

    private S3BlobDriver NewDriver(int partSize = S3BlobDriverOptions.DefaultPartSize, bool redirectGets = false)
    {
        var driver = new S3BlobDriver(new S3BlobDriverOptions(
            server.Bucket,
            S3Server.Region,
            server.ServiceUrl,
            ForcePathStyle: true,
            Prefix: _prefix,
            PartSize: partSize,
            RedirectGets: redirectGets,
            Credentials: server.Credentials));
        _drivers.Add(driver);
        return driver;
    }

    /// <summary>A file written as one append writer per chunk, as a chunked upload does.</summary>
    private async Task AppendAllAsync(string path, IEnumerable<byte[]> chunks)
    {
        foreach (var chunk in chunks)
        {
            await using var writer = await Driver.OpenWriterAsync(path, append: true, None);
            await writer.WriteAsync(chunk, None);
            await writer.CommitAsync(None);
        }
    }

    private string Key(string path) => _prefix + path;

    /// <summary>The S3 requests <paramref name="driver"/> sends from now on, by request type.</summary>
    private static List<string> RecordRequests(S3BlobDriver driver)
    {
        var requests = new List<string>();
        ((AmazonServiceClient)driver.Client).BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs request)
            {
                lock (requests)
                {
                    requests.Add(request.Request.GetType().Name);
                }
            }
        };
        return requests;
    }

    private static string BlobPathUploadId(string uploadPath) => uploadPath.Split('/')[^2];

    /// <summary>Every key in the bucket below this test's prefix plus <paramref name="path"/>, segments included.</summary>
    private async Task<List<string>> RawKeysAsync(string path)
    {
        using var client = server.CreateClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = server.Bucket, Prefix = Key(path) };
        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }
}
