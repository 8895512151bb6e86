using Berth.Registry.Auditing;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Metadata.Sqlite;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Scanning;
using Berth.Registry.Storage;
using Berth.Storage.FileSystem;
using Berth.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.Registry.Tests;

/// <summary>
/// A push hands its image to the scan worker in memory, and the worker records the queued scan in the store a moment
/// later. A node that stops in between must still record them: a restart or a rolling deploy would otherwise leave the
/// last images pushed through it unscanned. The worker runs here on a real SQLite store, with no scan loops (0 workers)
/// so that only the queueing is exercised.
/// </summary>
public sealed class ScanWorkerShutdownTests : IDisposable
{
    private const int Images = 200;
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dir = TempDirs.Create("berth-scan-shutdown");

    public void Dispose() => TempDirs.TryDelete(_dir);

    [Fact]
    public async Task ImagesPushedJustBeforeTheNodeStopsAreQueuedForScanning()
    {
        using var store = new SqliteMetadataStore(Path.Combine(_dir, "berth.db"));
        await store.InitializeAsync(CancellationToken.None);
        var project = await store.CreateProjectAsync("p1", "proj", T0, CancellationToken.None);
        var registry = await store.CreateRegistryAsync(new NewRegistry("r1", "reg", project.Id, "hash", 1L << 30, T0), CancellationToken.None);
        var repository = await store.EnsureRepositoryAsync(registry.Id, "app", T0, CancellationToken.None);

        var pushed = new List<(string Digest, ParsedManifest Parsed)>();
        for (var i = 0; i < Images; i++)
        {
            var content = ImageManifest(i);
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
            await store.PutManifestAsync(repository.Id, new ManifestRecord(digest, MediaTypes.OciManifest, content, null, null, T0),
                [], null, null, T0, CancellationToken.None);
            pushed.Add((digest, ManifestValidator.Parse(content, MediaTypes.OciManifest)));
        }

        var options = Options.Create(new BerthOptions { Scanning = { Workers = 0 } });
        var time = TimeProvider.System;
        var transfers = new BlobTransfers(time);
        var queue = new ScanQueue(store, store, time, options);
        using var advisories = new AdvisoryDatabase(store, store, queue, time, NullLogger<AdvisoryDatabase>.Instance);
        var blobs = new RegistryBlobStore(new FileSystemBlobDriver(Path.Combine(_dir, "blobs")), store, new BlobLocks(store),
            new StorageQuota(store, store, store, time),
            new UsageNoticeAudit(store, store, store, store, new UsageNotices(options), time, NullLogger<UsageNoticeAudit>.Instance), time);
        var scanner = new ImageScanner(store, store, blobs, advisories, transfers, time);
        var worker = new ScanWorker(queue, store, scanner, advisories, transfers, time, options, NullLogger<ScanWorker>.Instance);

        // The worker runs (its first push is queued), as on a node that has been serving for a while...
        await worker.StartAsync(CancellationToken.None);
        queue.ManifestPushed(repository.Id, pushed[0].Digest, pushed[0].Parsed);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await store.ListScansAsync(repository.Id, CancellationToken.None)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker never queued the first push");
            await Task.Delay(10);
        }

        // ...then a burst of pushes and the node stops at once: most of them are still in the worker's channel.
        foreach (var (digest, parsed) in pushed.Skip(1))
        {
            queue.ManifestPushed(repository.Id, digest, parsed);
        }

        await worker.StopAsync(CancellationToken.None);
        worker.Dispose();

        var scans = await store.ListScansAsync(repository.Id, CancellationToken.None);
        Assert.Equal(pushed.Select(p => p.Digest).Order(StringComparer.Ordinal), scans.Select(s => s.ManifestDigest).Order(StringComparer.Ordinal));
        Assert.All(scans, s => Assert.Equal(ScanStatus.Queued, s.Status));
    }

    /// <summary>A distinct, valid OCI image manifest (config and one gzip layer) per <paramref name="seed"/>.</summary>
    private static byte[] ImageManifest(int seed)
    {
        static string Digest(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest("config" + seed)}}","size":100},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{Digest("layer" + seed)}}","size":1000}]}
            """);
    }
}
