using Berth.Testing;
using Microsoft.Playwright;
using Npgsql;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Two <c>berth serve</c> nodes on one real PostgreSQL database, as behind a round-robin load balancer, each with its
/// own HOME directory (where ASP.NET would otherwise keep a per-machine key ring), and a headless Chromium.
/// </summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();
    private PostgresDatabase? _database;
    private IPlaywright? _playwright;

    public BerthProcess A { get; private set; } = null!;

    public BerthProcess B { get; private set; } = null!;

    public ManagementClient Admin { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public PostgresDatabase Database => _database ?? throw new InvalidOperationException("database not created");

    public string WorkDir { get; } = TempDirs.Create("berth-two-nodes");

    public string AdminPassword { get; } = "admin-" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _database = await _postgres.CreateDatabaseAsync();
        A = await StartNodeAsync(Database.BerthEnvironment());
        B = await StartNodeAsync(Database.BerthEnvironment());
        Admin = new ManagementClient(A.BaseUrl, "admin", AdminPassword);
        _playwright = await Playwright.CreateAsync();
        Browser = await DashboardFixture.LaunchChromiumAsync(_playwright);
    }

    /// <summary>Starts a node on the shared database with <paramref name="environment"/> and a HOME of its own.</summary>
    public Task<BerthProcess> StartNodeAsync(Dictionary<string, string> environment)
    {
        var home = Path.Combine(WorkDir, "home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        return BerthProcess.StartAsync(adminPassword: AdminPassword, extraEnvironment: new Dictionary<string, string>(environment) { ["HOME"] = home });
    }

    /// <summary>Rows of the shared key ring table.</summary>
    public async Task<long> CountKeysAsync()
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys;", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Admin?.Dispose();
        foreach (var node in new[] { A, B })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        TempDirs.TryDelete(WorkDir);
    }
}
