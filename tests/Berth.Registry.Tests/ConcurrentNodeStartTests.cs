using System.Net;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Npgsql;

namespace Berth.Registry.Tests;

/// <summary>
/// Three <c>berth serve</c> processes started at the same moment on one empty PostgreSQL database, as a rolling
/// deployment or a cluster restart does: the schema is migrated once, one administrator and one token signing key are
/// created, and every node serves with them.
/// </summary>
public sealed class ConcurrentNodeStartTests : IAsyncLifetime
{
    private const int NodeCount = 3;
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);

    private readonly PostgresServer _postgres = new();

    public Task InitializeAsync() => _postgres.InitializeAsync();

    public Task DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task NodesStartingTogetherOnAnEmptyDatabaseMigrateOnceAndShareOneAdministratorAndSigningKey()
    {
        await using var database = await _postgres.CreateDatabaseAsync();
        var environment = database.BerthEnvironment();

        // No Berth__Admin__Password and no Berth__Auth__SigningKey: each node would create its own if it could.
        var nodes = await Task.WhenAll(Enumerable.Range(0, NodeCount)
            .Select(_ => BerthProcess.StartWithGeneratedAdminPasswordAsync(environment)));
        try
        {
            foreach (var node in nodes)
            {
                using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
                Assert.True(await LifecycleSupport.EventuallyStatusAsync(http, "readyz", HttpStatusCode.OK, ReadyLimit),
                    $"node {node.Host} not ready within {ReadyLimit}\n{node.OutputTail()}");
            }

            // Exactly one node created the administrator; its password works on all of them.
            var announced = nodes.Select(n => GeneratedAdminPasswordTests.AnnouncedPassword(n.Output)).OfType<string>().ToList();
            Assert.True(announced.Count == 1, $"{announced.Count} nodes announced an administrator password:\n" +
                string.Join("\n---\n", nodes.Select(n => n.OutputTail(2000))));
            var admins = nodes.Select(n => new ManagementClient(n.BaseUrl, "admin", announced[0])).ToList();
            try
            {
                var registry = await admins[0].CreateProjectAndRegistryAsync("cs");
                foreach (var admin in admins.Skip(1))
                {
                    var detail = await admin.GetRegistryAsync(registry.Name);
                    Assert.Equal(registry.Name, detail.Name);
                }

                // One signing key: a token from any node is accepted by every other one.
                var repository = registry.Repo("app");
                for (var issuer = 0; issuer < NodeCount; issuer++)
                {
                    using var client = new RegistryClient(nodes[issuer], registry, RegistryAuthMode.Basic);
                    var token = await client.GetTokenAsync($"repository:{repository}:pull");
                    foreach (var verifier in nodes.Where((_, i) => i != issuer))
                    {
                        using var tags = await LifecycleSupport.BearerAsync(verifier, HttpMethod.Get, $"v2/{repository}/tags/list", token);
                        // The repository has no tags yet: NAME_UNKNOWN (404) means the token was accepted, 401 that it was not.
                        Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
                    }
                }
            }
            finally
            {
                admins.ForEach(a => a.Dispose());
            }

            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            Assert.Equal(0L, await ScalarAsync(connection,
                "SELECT count(*) FROM (SELECT version FROM schema_migrations GROUP BY version HAVING count(*) > 1) AS twice;"));
            Assert.Equal(await ScalarAsync(connection, "SELECT count(*) FROM schema_migrations;"),
                await ScalarAsync(connection, "SELECT max(version) FROM schema_migrations;"));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM users WHERE username = 'admin';"));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM settings WHERE key = 'auth.signingKey';"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
