using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// Issue 10, "one tenant's big delete never stalls or fails another tenant": a repository of 20,000 tags (each its
/// own manifest) is deleted through the API while another registry pushes and pulls and another project is created.
/// The delete answers at once, the purge finishes in the background, and the other tenant sees no failure and no long
/// wait (the 100 ms target is measured by bench/; the bound here is generous for a loaded machine). A second test
/// kills the server in the middle of such a purge: after the restart it resumes and leaves nothing of the repository.
/// </summary>
public sealed class BigRepositoryDeleteTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int TagCount = 20_000;

    /// <summary>Generous: before batching, the other tenant waited 30 s and then failed.</summary>
    private static readonly TimeSpan MaxOtherTenantWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PurgeWait = TimeSpan.FromSeconds(180);

    private readonly List<BerthProcess> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // The first server owns the data directory: disposed last.
        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            await _servers[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task DeletingA20000TagRepositoryNeitherStallsNorFailsAnotherTenant()
    {
        var server = await StartAsync(BerthProcess.StartAsync());
        using var admin = new ManagementClient(server.BaseUrl, "admin", server.AdminPassword);
        var a = await admin.CreateProjectAndRegistryAsync("big");
        var b = await admin.CreateProjectAndRegistryAsync("other");
        using var aClient = new RegistryClient(server, a);
        var keep = await ImageContent.PushSmallImageAsync(aClient, a.Repo("keep"), "v1");
        var (repositoryId, seeded) = await SeedBigRepositoryAsync(server, aClient, a, keep);
        output.WriteLine($"seeded {TagCount} tags in {seeded.TotalSeconds:0.0} s");

        // The other tenant pushes, pulls and creates projects the whole time.
        using var stop = new CancellationTokenSource();
        var timings = new List<(string What, TimeSpan Took)>();
        var failures = new List<string>();
        var other = Task.Run(() => OtherTenantAsync(server, admin, b, timings, failures, stop.Token));
        await Task.Delay(1000);

        var clock = Stopwatch.StartNew();
        using (var deleted = await admin.Http.DeleteAsync($"api/v1/registries/{a.Name}/repositories/big"))
        {
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent,
                $"delete: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}\n{server.OutputTail()}");
        }

        var answered = clock.Elapsed;
        using (var gone = await aClient.GetManifestAsync(a.Repo("big"), "t00007"))
        {
            await OciAssert.StatusAsync(gone, HttpStatusCode.NotFound, "a tag of the deleted repository");
        }

        var purged = await EventuallyAsync(() => RepositoryRowsLeft(server.DataDir, repositoryId) == 0, PurgeWait);
        var purgeTook = clock.Elapsed;
        await Task.Delay(1000);
        await stop.CancelAsync();
        await other;

        List<(string What, TimeSpan Took)> seen;
        lock (timings)
        {
            seen = [.. timings];
        }

        var slowest = seen.MaxBy(t => t.Took);
        output.WriteLine($"delete answered in {answered.TotalMilliseconds:0} ms, purge finished after {purgeTook.TotalSeconds:0.0} s; "
            + $"other tenant: {seen.Count} requests, slowest {slowest.What} {slowest.Took.TotalMilliseconds:0} ms, "
            + $"p99 {Percentile(seen, 0.99).TotalMilliseconds:0} ms, {failures.Count} failures; server peak RSS {PeakRssMiB(server)} MiB");
        Assert.True(purged, $"the purge left {RepositoryRowsLeft(server.DataDir, repositoryId)} rows after {PurgeWait.TotalSeconds:0} s\n{server.OutputTail()}");
        Assert.True(answered < TimeSpan.FromSeconds(10), $"the delete took {answered.TotalSeconds:0.0} s to answer");
        Assert.True(failures.Count == 0, $"the other tenant failed {failures.Count} times: {string.Join("\n", failures.Take(5))}");
        Assert.True(seen.Count >= 10, $"the other tenant made only {seen.Count} requests");
        Assert.True(slowest.Took < MaxOtherTenantWait, $"the other tenant's {slowest.What} took {slowest.Took.TotalMilliseconds:0} ms");

        // What A keeps is intact and its usage is exactly what it still holds; the name makes a new, empty repository.
        using (var kept = await aClient.GetManifestAsync(a.Repo("keep"), "v1"))
        {
            await OciAssert.StatusAsync(kept, HttpStatusCode.OK, "A's other repository");
            Assert.Equal(keep.Manifest, await kept.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(keep.Layer.Length + keep.Config.Length, (await admin.GetRegistryAsync(a.Name)).StorageUsageBytes);
        Assert.Equal(["keep"], (await admin.ListRepositoriesAsync(a.Name)).Select(r => r.Name));
        await ImageContent.PushSmallImageAsync(aClient, a.Repo("big"), "fresh");
        Assert.Equal(1, (await admin.ListRepositoriesAsync(a.Name)).Single(r => r.Name == "big").TagCount);
    }

    [Fact]
    public async Task AKillInTheMiddleOfARepositoryPurgeResumesAtRestartAndLeavesNothing()
    {
        // Small batches make the purge long enough to be caught in the middle.
        var first = await StartAsync(BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Berth__Registries__PurgeBatchSize"] = "50",
        }));
        using var admin = new ManagementClient(first.BaseUrl, "admin", first.AdminPassword);
        var a = await admin.CreateProjectAndRegistryAsync("kill");
        using var aClient = new RegistryClient(first, a);
        var keep = await ImageContent.PushSmallImageAsync(aClient, a.Repo("keep"), "v1");
        var (repositoryId, _) = await SeedBigRepositoryAsync(first, aClient, a, keep);
        var before = RepositoryRowsLeft(first.DataDir, repositoryId);

        using (var deleted = await admin.Http.DeleteAsync($"api/v1/registries/{a.Name}/repositories/big"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // As soon as the purge is seen removing rows, SIGKILL the server.
        Assert.True(await EventuallyAsync(() => RepositoryRowsLeft(first.DataDir, repositoryId) < before, TimeSpan.FromSeconds(60)),
            $"the purge did not start\n{first.OutputTail()}");
        await first.StopAsync();
        var left = RepositoryRowsLeft(first.DataDir, repositoryId);
        output.WriteLine($"killed with {left} of {before} rows of the deleted repository left");
        Assert.True(left > 0, "the purge finished before the kill landed; the test needs a slower purge");

        var restarted = await StartAsync(BerthProcess.StartAsync(first.DataDir, first.AdminPassword));
        Assert.True(await EventuallyAsync(() => RepositoryRowsLeft(restarted.DataDir, repositoryId) == 0, PurgeWait),
            $"after the restart the purge left {RepositoryRowsLeft(restarted.DataDir, repositoryId)} rows\n{restarted.OutputTail()}");

        using var admin2 = new ManagementClient(restarted.BaseUrl, "admin", restarted.AdminPassword);
        Assert.Equal(["keep"], (await admin2.ListRepositoriesAsync(a.Name)).Select(r => r.Name));
        Assert.Equal(keep.Layer.Length + keep.Config.Length, (await admin2.GetRegistryAsync(a.Name)).StorageUsageBytes);
        using var aAfter = new RegistryClient(restarted.BaseUrl, a.Username, a.Password);
        using var kept = await aAfter.GetManifestAsync(a.Repo("keep"), "v1");
        await OciAssert.StatusAsync(kept, HttpStatusCode.OK, "A's other repository after the resumed purge");
    }

    private async Task<BerthProcess> StartAsync(Task<BerthProcess> starting)
    {
        var server = await starting;
        _servers.Add(server);
        return server;
    }

    /// <summary>
    /// Repository "big" of <paramref name="registry"/>: one image pushed through /v2 (its blobs shared with "keep"),
    /// then <see cref="TagCount"/> distinct manifests over the same blobs, each with its tag, written straight into the
    /// server's database in one transaction (pushing them one by one would take minutes).
    /// </summary>
    private static async Task<(long RepositoryId, TimeSpan Took)> SeedBigRepositoryAsync(BerthProcess server, RegistryClient client,
        CreatedRegistry registry, PushedImage keep)
    {
        var clock = Stopwatch.StartNew();
        foreach (var blob in new[] { keep.LayerDigest, keep.ConfigDigest })
        {
            using var mount = await client.SendAsync(HttpMethod.Post,
                $"/v2/{registry.Repo("big")}/blobs/uploads/?mount={blob}&from={registry.Repo("keep")}");
            await OciAssert.StatusAsync(mount, HttpStatusCode.Created, "mounting keep's blobs into big");
        }

        await client.PushManifestAsync(registry.Repo("big"), "seed", keep.Manifest);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "berth.db")};Pooling=False");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction(deferred: false);
        var repositoryId = await ScalarAsync(connection, transaction,
            "SELECT r.id FROM repositories r JOIN registries g ON g.id = r.registry_id WHERE g.name = $registry AND r.name = 'big';",
            ("$registry", registry.Name));
        var now = DateTimeOffset.UtcNow.ToString("O");
        var template = JsonNode.Parse(keep.Manifest)!.AsObject();
        await using var manifest = Insert(connection, transaction,
            "INSERT INTO manifests (repository_id, digest, media_type, content, size, created_at) VALUES ($r, $d, 'application/vnd.oci.image.manifest.v1+json', $c, $s, $now);");
        await using var link = Insert(connection, transaction,
            "INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) VALUES ($r, $d, $c, 0, $s);");
        await using var tag = Insert(connection, transaction,
            "INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES ($r, $c, $d, $now);");
        foreach (var command in new[] { manifest, link, tag })
        {
            command.Parameters.AddWithValue("$r", repositoryId);
            command.Parameters.AddWithValue("$now", now);
            // No declared type: each value binds as what it is (text digests and names, the manifest's bytes).
            command.Parameters.Add(new SqliteParameter { ParameterName = "$d" });
            command.Parameters.Add(new SqliteParameter { ParameterName = "$c" });
            command.Parameters.Add(new SqliteParameter { ParameterName = "$s" });
        }

        for (var i = 0; i < TagCount; i++)
        {
            template["annotations"] = new JsonObject { ["seq"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var content = System.Text.Encoding.UTF8.GetBytes(template.ToJsonString());
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
            await ExecuteAsync(manifest, digest, content, content.Length);
            await ExecuteAsync(link, digest, keep.ConfigDigest, keep.Config.Length);
            await ExecuteAsync(link, digest, keep.LayerDigest, keep.Layer.Length);
            await ExecuteAsync(tag, digest, $"t{i:D5}", 0);
        }

        await transaction.CommitAsync();
        return (repositoryId, clock.Elapsed);
    }

    private static SqliteCommand Insert(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static Task<int> ExecuteAsync(SqliteCommand command, string digest, object content, long size)
    {
        command.Parameters["$d"].Value = digest;
        command.Parameters["$c"].Value = content;
        command.Parameters["$s"].Value = size;
        return command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of the repository left anywhere (its own row, tags, manifests, links, blob links), read directly.</summary>
    private static long RepositoryRowsLeft(string dataDir, long repositoryId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "berth.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return ScalarAsync(connection, null,
            """
            SELECT (SELECT COUNT(*) FROM repositories WHERE id = $id) + (SELECT COUNT(*) FROM tags WHERE repository_id = $id)
                 + (SELECT COUNT(*) FROM manifests WHERE repository_id = $id) + (SELECT COUNT(*) FROM manifest_links WHERE repository_id = $id)
                 + (SELECT COUNT(*) FROM repository_blobs WHERE repository_id = $id);
            """, ("$id", repositoryId)).GetAwaiter().GetResult();
    }

    /// <summary>Pushes an image, pulls it back (manifest and layer) and creates a project, in a loop until stopped.</summary>
    private static async Task OtherTenantAsync(BerthProcess server, ManagementClient admin, CreatedRegistry registry,
        List<(string, TimeSpan)> timings, List<string> failures, CancellationToken stop)
    {
        using var client = new RegistryClient(server, registry);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var image = await TimedAsync("push", timings, () => ImageContent.PushSmallImageAsync(client, registry.Repo("app"), $"v{i}"));
                await TimedAsync("manifest GET", timings, async () =>
                {
                    using var response = await client.GetManifestAsync(registry.Repo("app"), $"v{i}");
                    await OciAssert.StatusAsync(response, HttpStatusCode.OK, "the other tenant's pull");
                    return true;
                });
                await TimedAsync("blob GET", timings, async () =>
                {
                    using var response = await client.GetAsync($"v2/{registry.Repo("app")}/blobs/{image.LayerDigest}");
                    await OciAssert.StatusAsync(response, HttpStatusCode.OK, "the other tenant's blob");
                    Assert.Equal(image.Layer, await response.Content.ReadAsByteArrayAsync());
                    return true;
                });
                await TimedAsync("project create", timings, async () =>
                {
                    using var response = await admin.Http.PostAsJsonAsync("api/v1/projects", new { name = Names.Unique("op") });
                    Assert.True(response.StatusCode == HttpStatusCode.Created,
                        $"project create: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return true;
                });
            }
            catch (Exception ex)
            {
                lock (failures)
                {
                    failures.Add(ex.Message);
                }
            }
        }
    }

    private static async Task<T> TimedAsync<T>(string what, List<(string, TimeSpan)> timings, Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        var result = await action();
        lock (timings)
        {
            timings.Add((what, clock.Elapsed));
        }

        return result;
    }

    private static TimeSpan Percentile(List<(string What, TimeSpan Took)> timings, double p) =>
        timings.Count == 0 ? TimeSpan.Zero : timings.Select(t => t.Took).Order().ElementAt((int)Math.Min(timings.Count - 1, Math.Ceiling(p * timings.Count) - 1));

    /// <summary>The server's peak resident memory (VmHWM), for the record.</summary>
    private static long PeakRssMiB(BerthProcess server)
    {
        var line = File.ReadLines($"/proc/{server.ProcessId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
