using System.Net;
using System.Net.Http.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;

namespace Berth.Registry.Tests;

/// <summary>
/// Issue 10, "a busy database answers a retryable 503/429 with Retry-After, never a 500": while another writer holds
/// the SQLite database past <c>Berth:Metadata:BusyTimeout</c>, a write through the management API gets an RFC 7807
/// 503 and one through /v2 an OCI UNAVAILABLE 503, both with Retry-After and nothing changed; once the writer lets go,
/// the same requests succeed.
/// </summary>
public sealed class DatabaseBusyTests : IAsyncLifetime
{
    private BerthProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Berth__Metadata__BusyTimeout"] = "00:00:01",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WritesWhileTheDatabaseIsHeldAnswerARetryable503AndSucceedOnceItIsFree()
    {
        using var admin = new ManagementClient(_server.BaseUrl, "admin", _server.AdminPassword);
        var registry = await admin.CreateProjectAndRegistryAsync("busy");
        using var client = new RegistryClient(_server.BaseUrl, registry.Username, registry.Password, RegistryAuthMode.Basic);
        var repository = registry.Repo("app");
        var layer = ImageContent.RandomBlob(512);
        var layerDigest = await client.PushBlobAsync(repository, layer);
        var config = ImageContent.Config(layerDigest);
        var configDigest = await client.PushBlobAsync(repository, config);
        var manifest = ImageContent.Manifest((configDigest, config.Length), (layerDigest, layer.Length));
        var project = Names.Unique("busyp");

        // Another process holds SQLite's one write lock (as a long writer did) for longer than the busy timeout.
        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(_server.DataDir, "berth.db")};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var transaction = holder.BeginTransaction(deferred: false);

            var started = System.Diagnostics.Stopwatch.StartNew();
            using (var created = await admin.Http.PostAsJsonAsync("api/v1/projects", new { name = project }))
            {
                var body = await created.Content.ReadAsStringAsync();
                Assert.True(created.StatusCode == HttpStatusCode.ServiceUnavailable,
                    $"project create while the database is held: {(int)created.StatusCode} {body}\n{_server.OutputTail()}");
                Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
                Assert.True(created.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After on the busy 503 of the management API");
                OciAssert.NoStackTrace(body);
            }

            using (var put = await client.PutManifestAsync(repository, "v1", manifest))
            {
                var error = await OciAssert.ErrorAsync(put, HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "manifest PUT while the database is held");
                Assert.True(put.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After on the busy 503 of /v2");
                OciAssert.NoStackTrace(error.Body);
            }

            // Each waited about the busy timeout, not the half minute of Microsoft.Data.Sqlite's own retries.
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"two busy answers took {started.Elapsed.TotalSeconds:0.0} s");
        }

        // Nothing was changed by the refused writes; retried, they succeed.
        Assert.DoesNotContain(await admin.Http.GetFromJsonAsync<List<ProjectInfo>>("api/v1/projects") ?? [], p => p.Name == project);
        using (var missing = await client.GetManifestAsync(repository, "v1"))
        {
            await OciAssert.StatusAsync(missing, HttpStatusCode.NotFound, "the manifest refused as busy");
        }

        await admin.CreateProjectAsync(project);
        using var retried = await client.PutManifestAsync(repository, "v1", manifest);
        await OciAssert.StatusAsync(retried, HttpStatusCode.Created, "the manifest PUT retried once the database is free");
    }
}
