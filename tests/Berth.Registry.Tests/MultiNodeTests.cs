using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Four <c>berth serve</c> processes on different ports sharing one real PostgreSQL server (metadata) and one real
/// S3-API server (blobs): the scale-out configuration, nodes stateless behind a load balancer. The fourth redirects
/// blob GETs to pre-signed URLs.
/// </summary>
public sealed class MultiNodeFixture : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();
    private PostgresDatabase? _database;

    public S3Server S3 { get; } = new();

    public IReadOnlyList<BerthProcess> Nodes { get; private set; } = [];

    public ManagementClient Admin { get; private set; } = null!;

    public string Bucket { get; private set; } = "";

    public string WorkDir { get; } = TempDirs.Create("berth-multinode");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        await S3.InitializeAsync();
        _database = await _postgres.CreateDatabaseAsync();
        Bucket = await S3.CreateBucketAsync();
        var environment = new Dictionary<string, string>(S3.BerthEnvironment(Bucket).Concat(_database.BerthEnvironment()))
        {
            // Nodes look for scans other nodes queued twice a second (default 15 s), so that a test sees them soon.
            ["Berth__Scanning__PollInterval"] = "00:00:00.500",

            // The federation test's OIDC issuer runs in the test process, on 127.0.0.1 over plain http.
            ["Berth__Federation__AllowHttpLoopbackIssuers"] = "true",
        };

        // Started one after another: the first migrates the schema and stores the admin account and signing key,
        // which the others then read (they also start concurrently in production; the store tests cover that).
        var adminPassword = "admin-" + Guid.NewGuid().ToString("N");
        var nodes = new List<BerthProcess>();
        // The first node runs no scans (Berth:Scanning:Workers=0): images pushed through it are scanned by the others.
        nodes.Add(await BerthProcess.StartAsync(adminPassword: adminPassword,
            extraEnvironment: new Dictionary<string, string>(environment) { ["Berth__Scanning__Workers"] = "0" }));
        for (var i = 1; i < 3; i++)
        {
            nodes.Add(await BerthProcess.StartAsync(adminPassword: adminPassword, extraEnvironment: environment));
        }

        // A fourth node answers blob GETs with redirects to pre-signed URLs (Berth:Storage:S3:RedirectGets).
        nodes.Add(await BerthProcess.StartAsync(adminPassword: adminPassword,
            extraEnvironment: new Dictionary<string, string>(environment) { ["Berth__Storage__S3__RedirectGets"] = "true" }));
        Nodes = nodes;
        Admin = new ManagementClient(nodes[0].BaseUrl, "admin", adminPassword);
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

    /// <summary>A registry created through the first node; its endpoint names that node's host.</summary>
    public Task<CreatedRegistry> NewRegistryAsync(string prefix) => Admin.CreateProjectAndRegistryAsync(prefix);

    /// <summary>The same registry as seen through another node (same credentials, that node's host).</summary>
    public CreatedRegistry On(CreatedRegistry registry, int node) =>
        registry with { Endpoint = $"{Nodes[node].Host}/{registry.Name}" };
}

public sealed class MultiNodeTests(MultiNodeFixture fixture) : IClassFixture<MultiNodeFixture>
{
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task EveryNodeIsReadyOnPostgresAndS3()
    {
        foreach (var node in fixture.Nodes)
        {
            using var http = new HttpClient { BaseAddress = node.BaseUrl };
            using var ready = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("metadata: postgres, blobs: s3", node.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FailedLoginsCountedOnSomeNodesSlowTheGuesserOnEveryNodeButNoOneElse()
    {
        // Defaults: 5 failures, then 1 s doubling. The guesser spreads 8 counted failures over nodes 0-2 (waiting out
        // each delay it is told), so that the last leaves it 8 s to wait; node 3 has seen none of them.
        var registry = await fixture.NewRegistryAsync("mt");
        var scope = $"repository:{registry.Repo("app")}:pull";
        var guesser = ClientAddress.Loopback(2);
        for (var counted = 0; counted < 8;)
        {
            var node = fixture.Nodes[counted % 3];
            using var guess = await LifecycleSupport.TokenRequestAsync(node, registry.Username, "guess-" + counted, scope, guesser);
            if (guess.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(RegistryClient.Header(guess, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture)));
                continue;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
            counted++;
        }

        using (var right = await LifecycleSupport.TokenRequestAsync(fixture.Nodes[3], registry.Username, registry.Password, scope, guesser))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(right, "node 3, for the guesser's address");
        }

        foreach (var node in fixture.Nodes)
        {
            using var rightful = await LifecycleSupport.TokenRequestAsync(node, registry.Username, registry.Password, scope, ClientAddress.Loopback(3));
            await OciAssert.StatusAsync(rightful, HttpStatusCode.OK, $"the rightful client on {node.Host}");
        }
    }

    [Fact]
    public async Task AnImagePushedThroughANodeThatDoesNotScanIsScannedByAnother()
    {
        using (var import = new StringContent(ScanFixtures.Advisories, System.Text.Encoding.UTF8, "application/json"))
        using (var imported = await fixture.Admin.Http.PostAsync("api/v1/vulndb?source=fixtures", import))
        {
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var registry = await fixture.NewRegistryAsync("ms");
        var layout = fixture.NewDir("scan");
        var image = ScanFixtures.WriteDebianImage(layout, "v1", extra: registry.Name);
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        (await skopeo.CopyAsync($"oci:{layout}:v1", Skopeo.Docker(fixture.On(registry, 0).Image("scanned", "v1")), destinationCreds: registry.Creds))
            .EnsureSuccess();

        // Read through a third node: the report is in the shared store, whichever node wrote it.
        using var viaNode2 = new ManagementClient(fixture.Nodes[2].BaseUrl, "admin", fixture.Nodes[0].AdminPassword);
        var path = $"api/v1/registries/{registry.Name}/repositories/scanned/manifests/v1/vulnerabilities";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement report;
        while ((report = await viaNode2.GetRawJsonAsync(path)).GetProperty("status").GetString() != "done")
        {
            Assert.True(DateTime.UtcNow < deadline, $"not scanned in time: {report}");
            await Task.Delay(200);
        }

        Assert.Equal(
            ScanFixtures.DebianFindings.Select(f => f.Advisory).Order(StringComparer.Ordinal),
            report.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("advisoryId").GetString()).Order(StringComparer.Ordinal));
        var scannedBy = fixture.Nodes.Where(n => n.Output.Contains($"Scanned scanned@{image.Digest}", StringComparison.Ordinal)).ToList();
        Assert.Single(scannedBy);
        Assert.NotSame(fixture.Nodes[0], scannedBy[0]);
    }

    [Fact]
    public async Task SkopeoPushesThroughOneNodeAndPullsThroughAnother()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = new OciImageBuilder { Seed = 501, LayerCount = 3, Tag = "v1", FileSize = 256 * 1024 }.Build(fixture.NewDir("layout"));

        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(fixture.On(registry, 0).Image("team/app", "v1")), destinationCreds: registry.Creds))
            .EnsureSuccess();

        // Immediately visible through the other nodes: no cache stands between a push and a pull.
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(Skopeo.Docker(fixture.On(registry, 2).Image("team/app", "v1")), registry.Creds));
        var pulled = fixture.NewDir("pulled");
        (await skopeo.CopyAsync(Skopeo.Docker(fixture.On(registry, 1).Image("team/app", "v1")), $"oci:{pulled}:v1", sourceCreds: registry.Creds))
            .EnsureSuccess();
        foreach (var layer in image.Layers)
        {
            Assert.Equal(await File.ReadAllBytesAsync(OciLayout.BlobPath(image.LayoutDir, layer.Digest)),
                await File.ReadAllBytesAsync(OciLayout.BlobPath(pulled, layer.Digest)));
        }

        // Blobs really live in the bucket, under the registry's tree.
        using var s3 = fixture.S3.CreateClient();
        var objects = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = "registries/" });
        Assert.Contains(objects.S3Objects, o => o.Key.EndsWith(image.Layers[0].Digest["sha256:".Length..] + "/data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUploadSplitAcrossNodesCompletes()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        var name = registry.Repo("split");
        var content = ImageContent.RandomBlob(3 * 1024 * 1024 + 17);
        var digest = ImageContent.DigestOf(content);
        var chunks = new[] { content[..(1024 * 1024)], content[(1024 * 1024)..(2 * 1024 * 1024)], content[(2 * 1024 * 1024)..] };

        using var a = new RegistryClient(fixture.Nodes[0], registry, RegistryAuthMode.Bearer);
        using var b = new RegistryClient(fixture.Nodes[1], registry, RegistryAuthMode.Bearer);
        using var c = new RegistryClient(fixture.Nodes[2], registry, RegistryAuthMode.Bearer);

        var location = await a.StartUploadAsync(name);
        long offset = 0;
        foreach (var (client, chunk) in new[] { (b, chunks[0]), (c, chunks[1]), (a, chunks[2]) })
        {
            using var patch = await client.PatchAsync(location, chunk, offset);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            offset += chunk.Length;
            Assert.Equal($"0-{offset - 1}", RegistryClient.Header(patch, "Range"));
        }

        // Completed on a node that never saw the first chunk: it hashes what storage holds.
        using (var put = await b.PutUploadAsync(location, digest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var get = await c.GetAsync($"v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ATokenFromOneNodeWorksOnEveryOther()
    {
        // A round-robin load balancer sends the token request to one node and the requests it authorises to others.
        var registry = await fixture.NewRegistryAsync("mt");
        var repository = registry.Repo("app");
        using var tokenNode = new RegistryClient(fixture.Nodes[0], registry, RegistryAuthMode.Basic);
        var token = await tokenNode.GetTokenAsync($"repository:{repository}:pull,push");
        var layer = ImageContent.RandomBlob(4096);
        var digest = ImageContent.DigestOf(layer);

        using (var push = await LifecycleSupport.BearerAsync(fixture.Nodes[1], HttpMethod.Post, $"v2/{repository}/blobs/uploads/?digest={digest}",
            token, new ByteArrayContent(layer)))
        {
            Assert.Equal(HttpStatusCode.Created, push.StatusCode);
        }

        foreach (var node in fixture.Nodes.Skip(1).Take(2))
        {
            using var pull = await LifecycleSupport.BearerAsync(node, HttpMethod.Get, $"v2/{repository}/blobs/{digest}", token);
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
            Assert.Equal(layer, await pull.Content.ReadAsByteArrayAsync());
        }

        // The fourth node accepts it too, and answers with its redirect to the object store.
        using (var redirected = await LifecycleSupport.BearerAsync(fixture.Nodes[3], HttpMethod.Get, $"v2/{repository}/blobs/{digest}", token))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        }

        // The token is scoped on every node alike: another repository is refused.
        using var outside = await LifecycleSupport.BearerAsync(fixture.Nodes[2], HttpMethod.Get, $"v2/{registry.Repo("other")}/tags/list", token);
        Assert.Equal(HttpStatusCode.Unauthorized, outside.StatusCode);
    }

    [Fact]
    public async Task PasswordResetOnOneNodeRevokesEverywhereWithinASecond()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        using var onNode1 = new RegistryClient(fixture.Nodes[1], registry, RegistryAuthMode.Basic);
        using var onNode2 = new RegistryClient(fixture.Nodes[2], registry, RegistryAuthMode.Basic);
        var token = await onNode2.GetTokenAsync($"repository:{registry.Repo("app")}:pull");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, registry.Password)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", bearer: token));

        using var reset = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var resetAt = Stopwatch.StartNew();

        await AssertWithinAsync(PropagationLimit, resetAt,
            () => StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, registry.Password)),
            () => StatusAsync(fixture.Nodes[2], "/v2/", bearer: token),
            () => StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Username, registry.Password)));
    }

    [Fact]
    public async Task APreviousPasswordKeptByAResetWorksOnEveryNodeAndItsEarlyRevocationIsSeenEverywhereWithinASecond()
    {
        var registry = await fixture.NewRegistryAsync("mo");
        var old = (registry.Username, registry.Password);
        using var onNode2 = new RegistryClient(fixture.Nodes[2], registry, RegistryAuthMode.Basic);
        var tokenBefore = await onNode2.GetTokenAsync($"repository:{registry.Repo("app")}:pull");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", basic: old));

        using var reset = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password",
            new StringContent("""{"keepPreviousFor":"1h"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        using var document = JsonDocument.Parse(await reset.Content.ReadAsStringAsync());
        var newPassword = document.RootElement.GetProperty("password").GetString()!;

        // Well after the reset's notification has reached the other nodes, they still accept the previous password, its
        // cached verification and its tokens (the overlap travelled with the new generation).
        await Task.Delay(PropagationLimit * 1.5);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", basic: old));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", basic: old));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", bearer: tokenBefore));
        using var oldOnNode1 = new RegistryClient(fixture.Nodes[1], registry, RegistryAuthMode.Basic);
        var tokenDuring = await oldOnNode1.GetTokenAsync($"repository:{registry.Repo("app")}:pull");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", bearer: tokenDuring));

        using var revoke = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/password/previous");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var revokedAt = Stopwatch.StartNew();

        await AssertWithinAsync(PropagationLimit, revokedAt,
            () => StatusAsync(fixture.Nodes[1], "/v2/", basic: old),
            () => StatusAsync(fixture.Nodes[2], "/v2/", basic: old),
            () => StatusAsync(fixture.Nodes[2], "/v2/", bearer: tokenBefore),
            () => StatusAsync(fixture.Nodes[1], "/v2/", bearer: tokenDuring));

        // The current password is untouched everywhere.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Username, newPassword)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, newPassword)));
    }

    [Fact]
    public async Task AFederationRuleDeletedOnOneNodeStopsItsTokensEverywhereWithinASecond()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        var registry = await fixture.NewRegistryAsync("mnfed");
        using var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/federation",
            new { name = "ci", issuer = issuer.Issuer, audience = "berth", scopes = new[] { "pull" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var rule = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var idToken = issuer.IdToken("berth");
        using var http = new HttpClient { BaseAddress = fixture.Nodes[2].BaseUrl };
        using var exchanged = await http.PostAsync("/auth/federation/token",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["registry"] = registry.Name, ["token"] = idToken }));
        using var body = JsonDocument.Parse(await exchanged.Content.ReadAsStringAsync());
        var registryToken = body.RootElement.GetProperty("token").GetString()!;

        // Each node has checked (and cached) the rule before it goes.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", bearer: registryToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Name, idToken)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[3], "/v2/", basic: (registry.Name, registryToken)));

        Assert.Equal(HttpStatusCode.NoContent,
            (await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/federation/{rule.RootElement.GetProperty("id").GetString()}")).StatusCode);
        var deletedAt = Stopwatch.StartNew();

        await AssertWithinAsync(PropagationLimit, deletedAt,
            () => StatusAsync(fixture.Nodes[1], "/v2/", bearer: registryToken),
            () => StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Name, idToken)),
            () => StatusAsync(fixture.Nodes[3], "/v2/", basic: (registry.Name, registryToken)));
    }

    [Fact]
    public async Task AccessTokenRevokeOnOneNodeIsSeenEverywhereWithinASecondAndRevokeAllToo()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        var revoked = await CreateTokenAsync(registry.Name, "revoked");
        var kept = await CreateTokenAsync(registry.Name, "kept");
        var scope = $"repository:{registry.Repo("app")}:pull";

        // Every node has the tokens in memory (Basic) and a bearer token issued from one (node 2).
        var bearer = await LifecycleSupport.TokenAsync(fixture.Nodes[2], registry.Username, revoked, scope);
        foreach (var node in fixture.Nodes)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, "/v2/", basic: (registry.Username, revoked)));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, "/v2/", basic: (registry.Username, kept)));
        }

        var id = revoked.Split('_')[2];
        using (var revoke = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/tokens/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var revokedAt = Stopwatch.StartNew();
        await AssertWithinAsync(PropagationLimit, revokedAt,
            () => StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, revoked)),
            () => StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Username, revoked)),
            () => StatusAsync(fixture.Nodes[2], "/v2/", bearer: bearer),
            () => StatusAsync(fixture.Nodes[3], "/v2/", basic: (registry.Username, revoked)));

        // The other token, untouched, works everywhere; a revoke-all ends it too, everywhere.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, kept)));
        using (var revokeAll = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/credentials/revoke-all", null))
        {
            Assert.Equal(HttpStatusCode.OK, revokeAll.StatusCode);
        }

        var revokedAllAt = Stopwatch.StartNew();
        await AssertWithinAsync(PropagationLimit, revokedAllAt,
            () => StatusAsync(fixture.Nodes[1], "/v2/", basic: (registry.Username, kept)),
            () => StatusAsync(fixture.Nodes[2], "/v2/", basic: (registry.Username, kept)),
            () => StatusAsync(fixture.Nodes[3], "/v2/", basic: (registry.Username, kept)));
    }

    [Fact]
    public async Task RegistryDeleteOnOneNodeIsSeenEverywhereWithinASecondAndPurgesTheBucket()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        using (var client = new RegistryClient(fixture.Nodes[0], registry, RegistryAuthMode.Basic))
        {
            await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "v1");
        }

        using var s3 = fixture.S3.CreateClient();
        var before = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = "registries/" });
        var token = await new RegistryClient(fixture.Nodes[2], registry, RegistryAuthMode.Basic).GetTokenAsync($"repository:{registry.Repo("app")}:pull");

        using var delete = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}?confirm={registry.Name}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var deletedAt = Stopwatch.StartNew();

        await AssertWithinAsync(PropagationLimit, deletedAt,
            () => StatusAsync(fixture.Nodes[1], $"/v2/{registry.Repo("app")}/manifests/v1", basic: (registry.Username, registry.Password)),
            () => StatusAsync(fixture.Nodes[2], $"/v2/{registry.Repo("app")}/manifests/v1", bearer: token));

        // The node that deleted purges the registry's objects; others' objects stay.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<S3Object> left;
        do
        {
            await Task.Delay(200);
            var after = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = "registries/" });
            left = after.S3Objects ?? [];
        }
        while (left.Count >= (before.S3Objects?.Count ?? 0) && DateTime.UtcNow < deadline);

        Assert.True(left.Count < (before.S3Objects?.Count ?? 0), "the deleted registry's objects were not purged from the bucket");
    }

    /// <summary>
    /// Polls every node's answer (all requests sent at once) until each is 401. The round that first sees them all
    /// refused must have been sent within the limit: its requests left after the change had taken effect everywhere.
    /// </summary>
    [Fact]
    public async Task BlobGetsCanRedirectToPreSignedUrls()
    {
        var registry = await fixture.NewRegistryAsync("mn");
        var content = ImageContent.RandomBlob(64 * 1024 + 3);
        using var client = new RegistryClient(fixture.Nodes[0], registry, RegistryAuthMode.Basic);
        var digest = await client.PushBlobAsync(registry.Repo("app"), content);

        using var redirecting = new RegistryClient(fixture.Nodes[3], registry, RegistryAuthMode.Basic);
        using var response = await redirecting.GetAsync($"v2/{registry.Repo("app")}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(fixture.S3.ServiceUrl.ToString(), location.ToString(), StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", location.Query, StringComparison.Ordinal);

        // The object store serves the bytes; no Berth credentials travel there.
        using var plain = new HttpClient();
        Assert.Equal(content, await plain.GetByteArrayAsync(location));

        // A HEAD still answers from Berth with the size, and the other nodes still stream.
        using var head = await redirecting.HeadAsync($"v2/{registry.Repo("app")}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        using var streamed = await client.GetAsync($"v2/{registry.Repo("app")}/blobs/{digest}");
        Assert.Equal(content, await streamed.Content.ReadAsByteArrayAsync());
    }

    private static async Task AssertWithinAsync(TimeSpan limit, Stopwatch since, params Func<Task<HttpStatusCode>>[] probes)
    {
        while (true)
        {
            var sentAt = since.Elapsed;
            var statuses = await Task.WhenAll(probes.Select(probe => probe()));
            if (statuses.All(s => s == HttpStatusCode.Unauthorized))
            {
                Assert.True(sentAt <= limit, $"first seen everywhere by requests sent at {sentAt.TotalMilliseconds:F0} ms; the limit is {limit.TotalMilliseconds:F0} ms");
                return;
            }

            Assert.True(sentAt <= limit, $"still accepted somewhere ({string.Join(", ", statuses)}) by requests sent at {sentAt.TotalMilliseconds:F0} ms (limit {limit.TotalMilliseconds:F0} ms)");
            await Task.Delay(25);
        }
    }

    private async Task<string> CreateTokenAsync(string registry, string name)
    {
        using var response = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry}/tokens", new { name, scopes = new[] { "pull" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusAsync(BerthProcess node, string path, (string User, string Password)? basic = null, string? bearer = null)
    {
        using var http = new HttpClient { BaseAddress = node.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = basic is { } b
            ? ManagementClient.BasicAuth(b.User, b.Password)
            : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
