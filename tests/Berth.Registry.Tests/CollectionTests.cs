using System.Security.Cryptography;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server whose collector runs every second with a grace of 3 s, and sweeps the storage every second.</summary>
public sealed class FastCollectionFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Collection__GracePeriod"] = "00:00:03",
        ["Berth__Collection__Interval"] = "00:00:01",
        ["Berth__Collection__StorageSweepInterval"] = "00:00:01",
        [MetricsScrape.Environment.Key] = MetricsScrape.Environment.Value,
    };
}

/// <summary>
/// docs/configuration.md, <c>Berth:Collection</c>: the collector removes crash leftovers (blob files no record accounts
/// for, upload data with no session, blob records no repository links) once older than the grace, and nothing else:
/// leftovers younger than the grace, upload sessions in progress and the blobs of stored images stay.
/// </summary>
public sealed class CollectionTests(FastCollectionFixture fixture) : IClassFixture<FastCollectionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task CrashLeftoversAreCollectedOnceOlderThanTheGrace()
    {
        var (registry, registryId) = await NewRegistryWithIdAsync("leftover");
        using var client = fixture.Client(registry);
        var image = fixture.BuildImage(seed: 4101);
        await client.PushImageAsync(registry.Repo("app"), image);

        // An upload session in progress (its data last written long ago, but its session is alive) must stay.
        var session = await client.StartUploadAsync(registry.Repo("app"));
        using (var patched = await client.PatchAsync(session, ImageContent.RandomBlob(1000), 0))
        {
            Assert.True(patched.IsSuccessStatusCode, $"PATCH returned {(int)patched.StatusCode}");
        }

        var sessionId = session.TrimEnd('/').Split('/')[^1].Split('?')[0];
        var sessionData = UploadData(registryId, sessionId);
        Assert.True(File.Exists(sessionData), $"no upload data at {sessionData}");
        File.SetLastWriteTimeUtc(sessionData, DateTime.UtcNow.AddHours(-1));

        // Leftovers a crash leaves: a blob file moved into place but never recorded, session data whose session went,
        // a monolithic upload's staged file (it never has a session), a blob record whose last link went. The old ones
        // are past the grace; the young ones are stamped in the future so that no run can find them old meanwhile.
        var oldBlob = PlantBlobFile(registryId, age: TimeSpan.FromHours(1));
        var youngBlob = PlantBlobFile(registryId, age: TimeSpan.FromMinutes(-10));
        var oldUpload = PlantUpload(registryId, age: TimeSpan.FromHours(1));
        var oldStaged = PlantUpload(registryId, age: TimeSpan.FromHours(2));
        var youngUpload = PlantUpload(registryId, age: TimeSpan.FromMinutes(-10));
        var unlinked = PlantBlobFile(registryId, age: TimeSpan.FromHours(1));
        RecordUnlinkedBlob(registryId, unlinked.Digest, unlinked.Size);
        var usageWithUnlinked = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.Equal(image.Blobs.Sum(b => b.Size) + unlinked.Size, usageWithUnlinked);

        Assert.True(await EventuallyAsync(() => !File.Exists(oldBlob.Path) && !File.Exists(oldUpload) && !File.Exists(oldStaged)
                && !File.Exists(unlinked.Path), Patience),
            $"old leftovers still there: blob {File.Exists(oldBlob.Path)}, upload {File.Exists(oldUpload)}, staged {File.Exists(oldStaged)}, "
            + $"unlinked {File.Exists(unlinked.Path)}" + fixture.ServerLog);

        // The runs that removed those saw the young ones too, and left them, and the live session.
        Assert.True(File.Exists(youngBlob.Path), "a blob file younger than the grace was collected");
        Assert.True(File.Exists(youngUpload), "upload data younger than the grace was collected");
        Assert.True(File.Exists(sessionData), "the data of a live upload session was collected");
        Assert.False(Directory.Exists(Path.GetDirectoryName(oldUpload)), "the upload directory is left behind");

        // Once old, they go too.
        File.SetLastWriteTimeUtc(youngBlob.Path, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(youngUpload, DateTime.UtcNow.AddHours(-1));
        Assert.True(await EventuallyAsync(() => !File.Exists(youngBlob.Path) && !File.Exists(youngUpload), Patience),
            "leftovers past the grace were not collected" + fixture.ServerLog);
        Assert.True(File.Exists(sessionData), "the data of a live upload session was collected");

        // What is left is exactly the image: records, files and usage agree, and it pulls.
        await AssertStoreConsistentAsync(fixture.Admin, Server.DataDir, registry.Name, registryId, image.Blobs.Select(b => b.Digest), "after collection");
        using var pulled = await client.GetManifestAsync(registry.Repo("app"), image.Tag);
        Assert.True(pulled.IsSuccessStatusCode, $"the image no longer pulls: {(int)pulled.StatusCode}");
    }

    [Fact]
    public async Task BlobsOfPushesThatNeverStoredAManifestAreCollectedAfterTheGrace()
    {
        var (registry, registryId) = await NewRegistryWithIdAsync("unref");
        using var client = fixture.Client(registry);
        var kept = fixture.BuildImage(seed: 4201);
        await client.PushImageAsync(registry.Repo("app"), kept);

        // An interrupted push (its blobs, never its manifest), and one refused after its blobs (a manifest naming a blob
        // it never uploaded): both leave blobs linked into the repository that no manifest references.
        var interrupted = fixture.BuildImage(seed: 4202);
        foreach (var (digest, _) in interrupted.Blobs)
        {
            await client.PushBlobAsync(registry.Repo("app"), interrupted.ReadBlob(digest));
        }

        var refused = fixture.BuildImage(seed: 4203);
        var (refusedConfig, refusedLayers) = OciLayout.ReadManifestBlobs(refused.LayoutDir, refused.ManifestDigest);
        await client.PushBlobAsync(registry.Repo("other"), refused.ReadBlob(refusedConfig));
        using (var put = await client.PutManifestAsync(registry.Repo("other"), "v1", refused.ManifestBytes))
        {
            await OciAssert.ErrorAsync(put, System.Net.HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN", "manifest naming blobs never pushed");
        }

        Assert.True(refusedLayers.Count > 0);
        var leftBehind = interrupted.Blobs.Sum(b => b.Size) + refused.Blobs.Single(b => b.Digest == refusedConfig).Size;
        Assert.Equal(kept.Blobs.Sum(b => b.Size) + leftBehind, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        var runsBefore = await CounterAsync(Server, "berth_collection_runs_total");
        var freedBefore = await CounterAsync(Server, "berth_collection_bytes_freed_bytes_total", "kind=\"unreferenced\"");

        Assert.True(await EventuallyAsync(() => RecordedBlobs(Server.DataDir, registryId).Count == kept.Blobs.Count(), Patience),
            $"the blobs no manifest references were not collected: {RecordedBlobs(Server.DataDir, registryId).Count} recorded" + fixture.ServerLog);
        await AssertStoreConsistentAsync(fixture.Admin, Server.DataDir, registry.Name, registryId, kept.Blobs.Select(b => b.Digest), "after collection");
        await AssertPullsIdenticalAsync(new Skopeo(fixture.NewDir("skopeo")), fixture.NewDir("pulled"),
            $"docker://{Server.Host}/{registry.Repo("app")}:{kept.Tag}", $"{registry.Username}:{registry.Password}", kept, "the image kept");

        // Counted: runs went on, and at least the bytes of this registry's leftovers were freed as unreferenced blobs.
        Assert.True(await CounterAsync(Server, "berth_collection_runs_total") > runsBefore, "no collection run was counted");
        Assert.True(await CounterAsync(Server, "berth_collection_bytes_freed_bytes_total", "kind=\"unreferenced\"") >= freedBefore + leftBehind,
            "the bytes freed were not counted");
    }

    /// <summary>A new registry and its storage id (learnt from the tree its first blob creates; the blob is then deleted).</summary>
    private async Task<(CreatedRegistry Registry, string Id)> NewRegistryWithIdAsync(string prefix)
    {
        var before = BlobTree.RegistryIds(Server.DataDir);
        var registry = await fixture.NewRegistryAsync(prefix);
        using var client = fixture.Client(registry);
        var seed = await client.PushBlobAsync(registry.Repo("seed"), ImageContent.RandomBlob(10));
        var id = BlobTree.NewRegistryId(before, BlobTree.RegistryIds(Server.DataDir));
        using var deleted = await client.DeleteAsync($"v2/{registry.Repo("seed")}/blobs/{seed}");
        Assert.True(deleted.IsSuccessStatusCode, $"deleting the seed blob returned {(int)deleted.StatusCode}");
        return (registry, id);
    }

    private string UploadData(string registryId, string uploadId) =>
        Path.Combine(BlobTree.RegistryDir(Server.DataDir, registryId), "uploads", uploadId, "data");

    /// <summary>A blob file with no record; <paramref name="age"/> back-dates it (negative: in the future).</summary>
    private (string Digest, string Path, long Size) PlantBlobFile(string registryId, TimeSpan age)
    {
        var content = RandomNumberGenerator.GetBytes(2000 + RandomNumberGenerator.GetInt32(1000));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        var path = BlobTree.BlobFile(Server.DataDir, registryId, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return (digest, path, content.Length);
    }

    /// <summary>Upload data with no session (an upload id nothing records).</summary>
    private string PlantUpload(string registryId, TimeSpan age)
    {
        var path = UploadData(registryId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(3000));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    /// <summary>A blob record no repository links, as a crash between the unlink and the collection leaves it.</summary>
    private void RecordUnlinkedBlob(string registryId, string digest, long size)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Server.DataDir, "berth.db")};Pooling=False;Default Timeout=30");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=30000; INSERT INTO blobs (registry_id, digest, size, created_at) VALUES ($id, $digest, $size, $at);";
        command.Parameters.AddWithValue("$id", registryId);
        command.Parameters.AddWithValue("$digest", digest);
        command.Parameters.AddWithValue("$size", size);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }
}
