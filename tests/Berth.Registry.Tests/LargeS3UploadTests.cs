using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A multi-GiB-class layer pushed in chunks to a node on SQLite + S3 (s3rver): the upload goes to S3 part by part, so
/// the node's memory stays far below the layer's size, and the stored blob reads back byte for byte.
/// </summary>
public sealed class LargeS3UploadTests
{
    private const int ChunkSize = 64 * 1024 * 1024;
    private const int Chunks = 16;
    private const long BlobSize = (long)ChunkSize * Chunks; // 1 GiB
    private const ulong Seed = 0x5EED_B16B_1085UL;

    // Peak resident memory (VmHWM) allowed for the server process over the whole run. Measured on a 2-core machine:
    // 120 MB after start-up, 375-387 MB at the end of the 1 GiB upload (Kestrel's and the S3 SDK's buffers, 16 MiB
    // parts, the GC's headroom). With the S3 part size raised to 1 GiB, i.e. the layer held in memory before it goes
    // to S3, the same run peaks at 2,947 MB. 600 MB leaves about 50% headroom over the measurement for GC variance
    // while staying far below anything that holds the layer.
    private const long PeakRssLimitBytes = 600L * 1000 * 1000;

    // The whole push (16 × 64 MiB into s3rver, which writes parts to disk and concatenates them on completion): about
    // 27 s measured on a 2-core machine; the bound is for slower CI machines.
    private static readonly TimeSpan UploadLimit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AOneGibChunkedUploadStreamsThroughS3WithoutBufferingTheLayer()
    {
        var s3 = new S3Server();
        await s3.InitializeAsync();
        try
        {
            var bucket = await s3.CreateBucketAsync();
            await using var node = await BerthProcess.StartAsync(extraEnvironment: s3.BerthEnvironment(bucket));
            Assert.Contains("blobs: s3", node.Output, StringComparison.Ordinal);
            var rssAtStart = PeakRss(node.ProcessId);

            using var admin = new ManagementClient(node.BaseUrl, "admin", node.AdminPassword);
            var registry = await admin.CreateProjectAndRegistryAsync("big");
            using var client = new RegistryClient(node, registry, RegistryAuthMode.Basic);
            var repo = registry.Repo("layer");

            var clock = Stopwatch.StartNew();
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var location = await client.StartUploadAsync(repo);
            for (var i = 0; i < Chunks; i++)
            {
                var start = (long)i * ChunkSize;
                using var request = new HttpRequestMessage(HttpMethod.Patch, client.Resolve(location))
                {
                    Content = new PatternContent(start, ChunkSize, sha),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + ChunkSize - 1}");
                using var patch = await client.SendAsync(request);
                Assert.True(patch.StatusCode == HttpStatusCode.Accepted,
                    $"PATCH {i} returned {(int)patch.StatusCode}: {await patch.Content.ReadAsStringAsync()}\n{node.OutputTail()}");
                Assert.Equal($"0-{start + ChunkSize - 1}", RegistryClient.Header(patch, "Range"));
                location = RegistryClient.Location(patch) ?? location;
            }

            var digest = "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
            using (var put = await client.PutUploadAsync(location, digest))
            {
                Assert.True(put.StatusCode == HttpStatusCode.Created,
                    $"PUT returned {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}\n{node.OutputTail()}");
                Assert.Equal(digest, RegistryClient.Header(put, "Docker-Content-Digest"));
            }

            var uploadTime = clock.Elapsed;
            var rssAfterUpload = PeakRss(node.ProcessId);
            Assert.True(uploadTime < UploadLimit, $"the 1 GiB upload took {uploadTime.TotalSeconds:0} s");

            using (var head = await client.HeadAsync($"v2/{repo}/blobs/{digest}"))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                Assert.Equal(BlobSize, head.Content.Headers.ContentLength);
                Assert.Equal(digest, RegistryClient.Header(head, "Docker-Content-Digest"));
            }

            // Slices across a chunk boundary and an S3 part boundary (16 MiB parts), at odd offsets, and the tail.
            foreach (var (offset, length) in new[] { (3L * ChunkSize - 1_000_003, 2_000_011), (BlobSize - 777, 777) })
            {
                using var ranged = await client.GetAsync($"v2/{repo}/blobs/{digest}",
                    ("Range", $"bytes={offset}-{offset + length - 1}"));
                Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
                Assert.Equal($"bytes {offset}-{offset + length - 1}/{BlobSize}", ranged.Content.Headers.ContentRange?.ToString());
                var body = await ranged.Content.ReadAsByteArrayAsync();
                Assert.Equal(length, body.Length);
                var expected = new byte[length];
                Pattern.Fill(expected, offset);
                Assert.True(expected.AsSpan().SequenceEqual(body), $"bytes {offset}-{offset + length - 1} differ from what was uploaded");
            }

            var peak = PeakRss(node.ProcessId);
            var numbers = $"server peak RSS: {Mb(rssAtStart)} MB after start-up, {Mb(rssAfterUpload)} MB after the upload, " +
                          $"{Mb(peak)} MB at the end; upload {uploadTime.TotalSeconds:0.0} s";
            Console.WriteLine(numbers);
            Assert.True(peak < PeakRssLimitBytes, $"{numbers}: above {Mb(PeakRssLimitBytes)} MB, as if the layer were buffered");
        }
        finally
        {
            await s3.DisposeAsync();
        }
    }

    /// <summary>VmHWM of a process: its peak resident set size so far, in bytes.</summary>
    private static long PeakRss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }

    private static long Mb(long bytes) => bytes / 1_000_000;

    /// <summary>
    /// Pseudo-random bytes defined by position (SplitMix64 of the 8-byte word index), so any slice can be produced
    /// again without keeping the blob: the test never holds more than one buffer of it.
    /// </summary>
    private static class Pattern
    {
        public static void Fill(Span<byte> destination, long position)
        {
            var word = position / 8;
            var skip = (int)(position % 8);
            Span<byte> bytes = stackalloc byte[8];
            while (destination.Length > 0)
            {
                if (skip == 0 && destination.Length >= 8)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(destination, SplitMix64(Seed + (ulong)word));
                    destination = destination[8..];
                    word++;
                    continue;
                }

                BinaryPrimitives.WriteUInt64LittleEndian(bytes, SplitMix64(Seed + (ulong)word));
                var take = Math.Min(8 - skip, destination.Length);
                bytes.Slice(skip, take).CopyTo(destination);
                destination = destination[take..];
                skip = 0;
                word++;
            }
        }

        private static ulong SplitMix64(ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    /// <summary>
    /// A request body of <see cref="Pattern"/> bytes [start, start + length), generated 1 MiB at a time while it is
    /// sent and fed to the upload's running SHA-256. Sent once only, or the digest would count bytes twice.
    /// </summary>
    private sealed class PatternContent(long start, long length, IncrementalHash sha) : HttpContent
    {
        private const int BufferSize = 1024 * 1024;
        private bool _sent;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (_sent)
            {
                throw new InvalidOperationException("a pattern chunk is sent once: its bytes are already in the digest");
            }

            _sent = true;
            var buffer = new byte[BufferSize];
            for (long done = 0; done < length;)
            {
                var count = (int)Math.Min(BufferSize, length - done);
                Pattern.Fill(buffer.AsSpan(0, count), start + done);
                sha.AppendData(buffer, 0, count);
                await stream.WriteAsync(buffer.AsMemory(0, count));
                done += count;
            }
        }

        protected override bool TryComputeLength(out long result)
        {
            result = length;
            return true;
        }
    }
}
