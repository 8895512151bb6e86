using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>Two nodes over one PostgreSQL database and one S3 bucket, each running the collector (grace 3 s, every second).</summary>
public sealed class CollectionOnPostgresAndS3Fixture : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();
    private PostgresDatabase? _database;

    public S3Server S3 { get; } = new();

    public string Bucket { get; private set; } = "";

    public IReadOnlyList<BerthProcess> Nodes { get; private set; } = [];

    public ManagementClient Admin { get; private set; } = null!;

    public string WorkDir { get; } = TempDirs.Create("berth-collection-s3");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        await S3.InitializeAsync();
        _database = await _postgres.CreateDatabaseAsync();
        Bucket = await S3.CreateBucketAsync();
        var environment = new Dictionary<string, string>(S3.BerthEnvironment(Bucket).Concat(_database.BerthEnvironment()))
        {
            ["Berth__Collection__GracePeriod"] = "00:00:03",
            ["Berth__Collection__Interval"] = "00:00:01",
            ["Berth__Collection__StorageSweepInterval"] = "00:00:01",
        };
        var adminPassword = "admin-" + Guid.NewGuid().ToString("N");
        Nodes = [await BerthProcess.StartAsync(adminPassword: adminPassword, extraEnvironment: environment),
            await BerthProcess.StartAsync(adminPassword: adminPassword, extraEnvironment: environment)];
        Admin = new ManagementClient(Nodes[0].BaseUrl, "admin", adminPassword);
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await S3.DisposeAsync();
        await _postgres.DisposeAsync();
        TempDirs.TryDelete(WorkDir);
    }

    public string NewDir(string name)
    {
        var path = Path.Combine(WorkDir, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public string ServerLogs => string.Concat(Nodes.Select((n, i) => $"\n--- node {i} (tail) ---\n{n.OutputTail()}"));
}

/// <summary>
/// The collector on the scaled-out backends (docs/configuration.md, Collection): blobs of a push that never stored its
/// manifest and crash leftovers in the bucket go once older than the grace; a live upload session and the stored image
/// stay, and the usage equals the bytes left in the bucket.
/// </summary>
public sealed class CollectionOnPostgresAndS3Tests(CollectionOnPostgresAndS3Fixture fixture) : IClassFixture<CollectionOnPostgresAndS3Fixture>
{
    [Fact]
    public async Task UnreferencedBlobsAndLeftoversAreCollectedFromTheBucket()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("s3col");
        using var first = new RegistryClient(fixture.Nodes[0], registry, RegistryAuthMode.Bearer);
        using var second = new RegistryClient(fixture.Nodes[1], registry, RegistryAuthMode.Bearer);
        var kept = new OciImageBuilder { Seed = 4301 }.Build(fixture.NewDir("layout"));
        await first.PushImageAsync(registry.Repo("app"), kept);
        var interrupted = new OciImageBuilder { Seed = 4302 }.Build(fixture.NewDir("layout"));
        foreach (var (digest, _) in interrupted.Blobs)
        {
            await second.PushBlobAsync(registry.Repo("app"), interrupted.ReadBlob(digest));
        }

        using var s3 = fixture.S3.CreateClient();
        var registryId = (await KeysAsync(s3, "registries/")).Select(k => k.Split('/')[1]).Distinct().Single();
        var session = await first.StartUploadAsync(registry.Repo("app"));
        using (var patched = await first.PatchAsync(session, ImageContent.RandomBlob(1000), 0))
        {
            Assert.True(patched.IsSuccessStatusCode, $"PATCH returned {(int)patched.StatusCode}");
        }

        var sessionKey = $"registries/{registryId}/uploads/{session.TrimEnd('/').Split('/')[^1].Split('?')[0]}/data";
        var untracked = RandomNumberGenerator.GetBytes(2048);
        var untrackedHex = Convert.ToHexStringLower(SHA256.HashData(untracked));
        var untrackedKey = $"registries/{registryId}/blobs/sha256/{untrackedHex[..2]}/{untrackedHex}/data";
        var orphanUploadKey = $"registries/{registryId}/uploads/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}/data";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = fixture.Bucket, Key = untrackedKey, InputStream = new MemoryStream(untracked) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = fixture.Bucket, Key = orphanUploadKey, InputStream = new MemoryStream(new byte[3000]) });

        var keptKeys = kept.Blobs.Select(b => $"registries/{registryId}/blobs/sha256/{b.Digest[7..9]}/{b.Digest[7..]}/data").ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HashSet<string> blobKeys;
        List<string> uploadKeys;
        do
        {
            await Task.Delay(500);
            blobKeys = (await KeysAsync(s3, $"registries/{registryId}/blobs/")).ToHashSet(StringComparer.Ordinal);
            uploadKeys = await KeysAsync(s3, $"registries/{registryId}/uploads/");
        }
        while (DateTime.UtcNow < deadline && !(blobKeys.SetEquals(keptKeys) && uploadKeys.SequenceEqual([sessionKey])));

        Assert.True(blobKeys.SetEquals(keptKeys),
            $"blob objects [{string.Join(", ", blobKeys)}], expected the image's [{string.Join(", ", keptKeys)}]" + fixture.ServerLogs);
        Assert.True(uploadKeys.SequenceEqual([sessionKey]), $"upload objects [{string.Join(", ", uploadKeys)}], expected the live session's only");
        var sizes = 0L;
        foreach (var key in blobKeys)
        {
            sizes += (await s3.GetObjectMetadataAsync(fixture.Bucket, key)).ContentLength;
        }

        Assert.Equal(sizes, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        await AssertPullsIdenticalAsync(new Skopeo(fixture.NewDir("skopeo")), fixture.NewDir("pulled"),
            $"docker://{fixture.Nodes[1].Host}/{registry.Repo("app")}:{kept.Tag}", $"{registry.Username}:{registry.Password}", kept, "the image kept");
    }

    private async Task<List<string>> KeysAsync(AmazonS3Client s3, string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await s3.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key).Where(k => !k.Contains("/.", StringComparison.Ordinal)));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }
}
