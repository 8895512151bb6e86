using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Berth.Testing;

/// <summary>
/// A throwaway PostgreSQL server for a test collection: <c>initdb</c> into a temporary directory (trust auth), started
/// with <c>pg_ctl</c> on a free loopback port, stopped and deleted on dispose. Tests take a fresh database each from
/// <see cref="CreateDatabaseAsync"/>. Needs Debian's <c>postgresql</c> package (scripts/install-test-deps.sh) and
/// fails, never skips, without it. PostgreSQL refuses to run as root, so as root every server tool runs as the
/// <c>postgres</c> OS user (through <c>runuser</c>), in a directory it owns.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Superuser = "postgres";

    // Bounds every tool run; the slowest, initdb and a start, take a second or two.
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);

    private readonly bool _asRoot = Environment.UserName == "root";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "berth-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string _binDirectory = "";
    private int _port;

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "server.log");

    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        Directory.CreateDirectory(_directory);
        if (_asRoot)
        {
            await RunAsync("chown", [$"{Superuser}:", _directory], asServerUser: false);
        }

        await RunToolAsync("initdb", "-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");

        // Durability is worthless for a throwaway server and costs most of a test run's time. The socket directory
        // is ours, not /var/run/postgresql, which may not exist or belong to the system cluster.
        _port = FreeLoopbackPort();
        var options = $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory} -c max_connections=200 " +
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        try
        {
            await RunToolAsync("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start");
        }
        catch (InvalidOperationException e)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no server log)";
            throw new InvalidOperationException($"{e.Message}\nserver log:\n{log}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunToolAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// A new, empty database. Its default collation is ICU's en-US on purpose: code that sorts or compares names must
    /// ask for ordinal order itself, and the tests then show whether it does.
    /// </summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US';");
        return new PostgresDatabase(this, name, ConnectionString(name));
    }

    internal Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE);");

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = Superuser,
        Database = database,
    }.ConnectionString;

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string FindBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .ToList()
            : [];
        return candidates.Count > 0
            ? Path.Combine(candidates[0], "bin")
            : throw new InvalidOperationException(
                "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): run scripts/install-test-deps.sh, " +
                "which installs Debian's postgresql package.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunToolAsync(string tool, params string[] arguments) =>
        RunAsync(Path.Combine(_binDirectory, tool), arguments, asServerUser: _asRoot);

    private async Task RunAsync(string program, string[] arguments, bool asServerUser)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asServerUser ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The server user may not be allowed into the test's working directory.
            WorkingDirectory = _directory,
        };
        if (asServerUser)
        {
            foreach (var prefix in new[] { "-u", Superuser, "--", program })
            {
                startInfo.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within {ToolTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):\n{await errors}{await output}");
        }
    }
}
