using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;

namespace Berth.Registry.Tests.Retention;

/// <summary>A server whose collector and cleanup scheduler tick every second.</summary>
public sealed class FastCleanupFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Collection__GracePeriod"] = "00:00:02",
        ["Berth__Collection__Interval"] = "00:00:01",
        ["Berth__Retention__CleanupSchedulerInterval"] = "00:00:01",
    };
}

/// <summary>
/// Cleanup runs against real pushes: the run deletes exactly what the dry run listed just before, kept images still
/// pull whole with skopeo, usage drops by the bytes announced; one run per registry (across nodes), a dead node's run
/// is interrupted, runs are listed newest first, and a scheduled run fires by itself.
/// </summary>
public sealed class CleanupRunTests(FastCleanupFixture fixture) : IClassFixture<FastCleanupFixture>
{
    private const string Signature = "application/vnd.dev.cosign.artifact.sig.v1+json";

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task TheRunDeletesExactlyWhatTheDryRunListedAndKeptImagesStillPull()
    {
        var registry = await fixture.NewRegistryAsync("cleanrun");
        using var client = fixture.Client(registry);
        var app = registry.Repo("app");
        var versions = new Dictionary<string, PushedImage>();
        foreach (var version in new[] { "v1", "v2", "v3", "v4", "v5", "v3-keep" })
        {
            versions[version] = await ImageContent.PushSmallImageAsync(client, app, version, layerSize: 2048);
        }

        // v5 is signed: the signature stays with it. An index goes whole with its platform images and its signature.
        await client.PushBlobAsync(app, ImageContent.EmptyJson);
        var v5Signature = await PushReferrerAsync(client, app, versions["v5"].Descriptor);
        var (index, indexSize, platforms) = await PushIndexAsync(registry, "frontend", "1.0");
        await client.PushBlobAsync(registry.Repo("frontend"), ImageContent.EmptyJson);
        var indexSignature = await PushReferrerAsync(client, registry.Repo("frontend"), (index, indexSize));
        await ImageContent.PushSmallImageAsync(client, registry.Repo("frontend"), "2.0");

        // A pull protects what it pulled (flushed by the dry run itself, not after the stats interval).
        using (var pulled = await client.GetManifestAsync(app, "v2"))
        {
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        }

        await PutPolicyAsync(registry.Name, """
            {"rules":[{"repositories":"app","tagPattern":"^v","excludeTagPattern":"-keep$","keepMostRecent":2},
                      {"repositories":"frontend","keepMostRecent":1}],
             "untaggedOlderThanHours":0}
            """);
        var dryRun = await DryRunAsync(registry.Name);

        Assert.Equal(
            new[] { ("app", "v1", versions["v1"].Digest), ("app", "v3", versions["v3"].Digest), ("frontend", "1.0", index) }.Order(),
            dryRun.Tags.Order());
        string[] expectedManifests = [versions["v1"].Digest, versions["v3"].Digest, index, indexSignature, .. platforms];
        Assert.Equal(expectedManifests.Order(StringComparer.Ordinal), dryRun.Manifests.Select(m => m.Digest).Order(StringComparer.Ordinal));
        // Referrers before their subject, an index before its children.
        var order = dryRun.Manifests.Select(m => m.Digest).ToList();
        Assert.True(order.IndexOf(indexSignature) < order.IndexOf(index) && platforms.All(p => order.IndexOf(index) < order.IndexOf(p)), string.Join(", ", order));
        Assert.Equal(
            new[] { ("app", "v2", "pulled_recently"), ("app", v5Signature, "subject_kept") }.Order(),
            dryRun.Protected.Order());
        Assert.True(dryRun.BytesFreed > 2 * 2048, dryRun.BytesFreed.ToString(CultureInfo.InvariantCulture));

        var usageBefore = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        var run = await RunAsync(registry.Name);

        Assert.Equal(("manual", "succeeded"), (run.GetProperty("trigger").GetString(), run.GetProperty("status").GetString()));
        Assert.Equal(dryRun.Tags.Count, run.GetProperty("tagsDeleted").GetInt32());
        Assert.Equal(dryRun.Manifests.Count, run.GetProperty("manifestsDeleted").GetInt32());
        Assert.Equal(0, run.GetProperty("skipped").GetInt32());
        Assert.Equal(dryRun.BytesFreed, run.GetProperty("bytesFreed").GetInt64());
        Assert.Equal(0, run.GetProperty("errors").GetArrayLength());

        foreach (var (repository, tag, _) in dryRun.Tags)
        {
            using var gone = await client.GetManifestAsync(registry.Repo(repository), tag);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        foreach (var (repository, digest) in dryRun.Manifests)
        {
            using var gone = await client.GetManifestAsync(registry.Repo(repository), digest);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // Everything kept still copies whole.
        foreach (var (repository, tag) in new[] { ("app", "v2"), ("app", "v4"), ("app", "v5"), ("app", "v3-keep"), ("frontend", "2.0") })
        {
            (await _skopeo.CopyAsync(Skopeo.Docker(registry.Image(repository, tag)), $"oci:{fixture.NewDir("copy")}:{tag}", sourceCreds: registry.Creds,
                extraArguments: ["--all"])).EnsureSuccess();
        }

        using (var signature = await client.GetManifestAsync(app, v5Signature))
        {
            Assert.Equal(HttpStatusCode.OK, signature.StatusCode);
        }

        // Once collected, usage is down by exactly the bytes announced.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long usage;
        while ((usage = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes) != usageBefore - dryRun.BytesFreed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(usageBefore - dryRun.BytesFreed, usage);
        var audit = await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/audit");
        Assert.Contains($"run {run.GetProperty("id").GetInt64()}: 3 tags, 7 manifests", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegistryRunsOneCleanupAtATimeAndADeadNodesRunIsInterrupted()
    {
        var registry = await fixture.NewRegistryAsync("cleanone");
        var runs = $"api/v1/registries/{registry.Name}/cleanup-runs";
        using (var noPolicy = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/cleanup-policy/run", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noPolicy.StatusCode);
        }

        await PutPolicyAsync(registry.Name, """{"rules":[{"repositories":"**","keepMostRecent":1}]}""");
        var registryId = await RegistryIdAsync(registry.Name);

        // Another node is running a cleanup of this registry, and alive.
        var other = InsertRunningRun(registryId, heartbeat: DateTimeOffset.UtcNow);
        using (var conflict = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/cleanup-policy/run", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        }

        // That node died: its heartbeat stopped two minutes ago.
        SetHeartbeat(other, DateTimeOffset.UtcNow.AddMinutes(-2));
        var first = await RunAsync(registry.Name);
        var second = await RunAsync(registry.Name);
        Assert.Equal("interrupted", (await fixture.Admin.GetRawJsonAsync($"{runs}/{other}")).GetProperty("status").GetString());

        using var page = await fixture.Admin.Http.GetAsync($"{runs}?limit=2");
        using var listed = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
        Assert.Equal([second.GetProperty("id").GetInt64(), first.GetProperty("id").GetInt64()],
            listed.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        var next = page.Headers.GetValues("Link").Single();
        Assert.Contains("rel=\"next\"", next, StringComparison.Ordinal);
        var nextUrl = next[(next.IndexOf('<', StringComparison.Ordinal) + 1)..next.IndexOf('>', StringComparison.Ordinal)];
        using var rest = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync(nextUrl.TrimStart('/')));
        Assert.Equal([other], rest.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task AScheduledRunFiresWhenDueOnOneNodeAndMovesItsNextRunOn()
    {
        var registry = await fixture.NewRegistryAsync("cleansched");
        using var client = fixture.Client(registry);
        await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "old");
        await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "new");
        // Every 1 January: a cron far away, made due below as if that time had come.
        await PutPolicyAsync(registry.Name, """{"rules":[{"repositories":"**","keepMostRecent":1}],"schedule":"0 0 1 1 *"}""");
        using (var db = Open())
        {
            Execute(db, "UPDATE cleanup_policies SET next_run_at = $at WHERE registry_id = $id;",
                ("$at", Time(DateTimeOffset.UtcNow.AddSeconds(-1))), ("$id", await RegistryIdAsync(registry.Name)));
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement run;
        while (true)
        {
            var runs = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/cleanup-runs");
            if (runs.GetArrayLength() == 1 && runs[0].GetProperty("status").GetString() != "running")
            {
                run = runs[0];
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "no scheduled run finished: " + runs + fixture.ServerLog);
            await Task.Delay(200);
        }

        Assert.Equal(("schedule", "succeeded", 1), (run.GetProperty("trigger").GetString(), run.GetProperty("status").GetString(), run.GetProperty("tagsDeleted").GetInt32()));
        var policy = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/cleanup-policy");
        var nextRun = policy.GetProperty("nextRunAt").GetDateTimeOffset().UtcDateTime;
        Assert.Equal((1, 1, 0), (nextRun.Month, nextRun.Day, nextRun.Hour));
        Assert.True(nextRun > DateTime.UtcNow);
        Assert.Equal(["new"], (await fixture.Admin.ListTagsAsync(registry.Name, "app")).Select(t => t.Name));
    }

    /// <summary>A cosign-style signature of <paramref name="subject"/>, pushed by digest (untagged).</summary>
    private static async Task<string> PushReferrerAsync(RegistryClient client, string name, (string Digest, long Size) subject)
    {
        var signature = ImageContent.Artifact(Signature, subject, "signature of " + subject.Digest);
        return await client.PushManifestAsync(name, ImageContent.DigestOf(signature), signature);
    }

    private async Task<(string Index, long Size, string[] Platforms)> PushIndexAsync(CreatedRegistry registry, string repository, string tag)
    {
        var layout = fixture.NewDir(repository);
        string[] architectures = ["amd64", "arm64", "s390x"];
        var images = architectures
            .Select((architecture, i) => new OciImageBuilder { Seed = 70 + i, LayerCount = 1, FileSize = 4096, Tag = architecture }.Build(layout))
            .ToList();
        var index = ScanFixtures.WriteIndex(layout, tag, [.. images.Select((image, i) => (image.ManifestDigest, image.ManifestBytes.LongLength, architectures[i]))]);
        (await _skopeo.CopyAsync($"oci:{layout}:{tag}", Skopeo.Docker(registry.Image(repository, tag)), destinationCreds: registry.Creds,
            extraArguments: ["--all"])).EnsureSuccess();
        return (index.Digest, index.Size, [.. images.Select(i => i.ManifestDigest)]);
    }

    private async Task PutPolicyAsync(string registry, string json)
    {
        using var put = await fixture.Admin.Http.PutAsync($"api/v1/registries/{registry}/cleanup-policy",
            new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private async Task<DryRun> DryRunAsync(string registry)
    {
        using var response = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry}/cleanup-policy/dry-run", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var root = JsonDocument.Parse(body).RootElement;
        return new DryRun(
            [.. root.GetProperty("tags").EnumerateArray().Select(t => (t.GetProperty("repository").GetString()!, t.GetProperty("tag").GetString()!, t.GetProperty("digest").GetString()!))],
            [.. root.GetProperty("manifests").EnumerateArray().Select(m => (m.GetProperty("repository").GetString()!, m.GetProperty("digest").GetString()!))],
            [.. root.GetProperty("protected").EnumerateArray().Select(p => (p.GetProperty("repository").GetString()!, p.GetProperty("reference").GetString()!, p.GetProperty("reason").GetString()!))],
            root.GetProperty("bytesFreed").GetInt64());
    }

    /// <summary>Starts a run and waits for it to finish; the finished run.</summary>
    private async Task<JsonElement> RunAsync(string registry)
    {
        using var started = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry}/cleanup-policy/run", null);
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/registries/{registry}/cleanup-runs/{id}", started.Headers.Location?.OriginalString);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry}/cleanup-runs/{id}");
            if (run.GetProperty("status").GetString() != "running")
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, "the run did not finish" + fixture.ServerLog);
            await Task.Delay(100);
        }
    }

    private async Task<string> RegistryIdAsync(string registry)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT id FROM registries WHERE name = $name;";
        command.Parameters.AddWithValue("$name", registry);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private long InsertRunningRun(string registryId, DateTimeOffset heartbeat)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = """
            INSERT INTO cleanup_runs (registry_id, trigger, status, started_at, heartbeat_at) VALUES ($id, 'manual', 'running', $at, $at) RETURNING id;
            """;
        command.Parameters.AddWithValue("$id", registryId);
        command.Parameters.AddWithValue("$at", Time(heartbeat));
        return (long)command.ExecuteScalar()!;
    }

    private void SetHeartbeat(long runId, DateTimeOffset heartbeat)
    {
        using var db = Open();
        Execute(db, "UPDATE cleanup_runs SET heartbeat_at = $at WHERE id = $id;", ("$at", Time(heartbeat)), ("$id", runId));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Server.DataDir, "berth.db")};Pooling=False;Default Timeout=30");
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private sealed record DryRun(
        List<(string Repository, string Tag, string Digest)> Tags,
        List<(string Repository, string Digest)> Manifests,
        List<(string Repository, string Reference, string Reason)> Protected,
        long BytesFreed);
}
