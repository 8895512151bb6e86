using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Testing;

/// <summary>
/// The real Berth server as a child process: <c>dotnet berth.dll serve --urls http://127.0.0.1:0</c> with its own
/// data directory and administrator password. The port is learned from ASP.NET Core's
/// <c>Now listening on: …</c> line. Restartable on the same data directory (and, when possible, the same port).
/// </summary>
public sealed partial class BerthProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDir;
    private readonly IReadOnlyDictionary<string, string> _extraEnvironment;
    private readonly bool _passAdminPassword;
    private Process? _process;
    private int _port;

    private BerthProcess(string dataDir, bool ownsDataDir, string adminPassword, bool passAdminPassword, IReadOnlyDictionary<string, string>? extraEnvironment)
    {
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        AdminPassword = adminPassword;
        _passAdminPassword = passAdminPassword;
        _extraEnvironment = extraEnvironment ?? new Dictionary<string, string>();
    }

    /// <summary>The directory holding this test assembly and, next to it, <c>berth.dll</c>.</summary>
    public static string BerthDll => Path.Combine(AppContext.BaseDirectory, "berth.dll");

    /// <summary>The <c>dotnet</c> host that runs <c>berth.dll</c>.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public string DataDir { get; }

    /// <summary>The password given in <c>Berth__Admin__Password</c>; empty when the server was left to generate one.</summary>
    public string AdminPassword { get; }

    public int Port => _port;

    /// <summary><c>127.0.0.1:PORT</c>, the registry host part of image references.</summary>
    public string Host => "127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);

    public Uri BaseUrl => new("http://" + Host + "/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id (the <c>dotnet</c> host runs Berth in-process), e.g. to read /proc/PID/status.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the server is not running");

    /// <summary>Everything the server printed so far (stdout and stderr, interleaved), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The last part of <see cref="Output"/>, short enough for an assertion message.</summary>
    public string OutputTail(int maxChars = 6000)
    {
        var text = Output;
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }

    public static async Task<BerthProcess> StartAsync(
        string? dataDir = null,
        string? adminPassword = null,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var owns = dataDir is null;
        dataDir ??= TempDirs.Create("berth-data");
        adminPassword ??= "admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var server = new BerthProcess(dataDir, owns, adminPassword, passAdminPassword: true, extraEnvironment);
        await server.LaunchAsync(0);
        return server;
    }

    /// <summary>
    /// Starts a server WITHOUT <c>Berth__Admin__Password</c> (not even inherited from the test's environment), so that
    /// on first start it generates the administrator's password and prints it in its log.
    /// </summary>
    public static async Task<BerthProcess> StartWithGeneratedAdminPasswordAsync(IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var server = new BerthProcess(TempDirs.Create("berth-data"), ownsDataDir: true, adminPassword: "", passAdminPassword: false, extraEnvironment);
        await server.LaunchAsync(0);
        return server;
    }

    /// <summary>Kills the server and starts it again on the same data directory, on the same port when free.</summary>
    public async Task RestartAsync()
    {
        var previousPort = _port;
        await StopAsync();
        try
        {
            await LaunchAsync(previousPort);
        }
        catch (InvalidOperationException) when (previousPort != 0)
        {
            // The old port was taken in the meantime; any port will do.
            await LaunchAsync(0);
        }
    }

    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        ProcessRunner.KillTree(process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Nothing more we can do; the OS reaps it eventually.
        }

        process.Dispose();
        Append("[test harness] server process stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDataDir)
        {
            TempDirs.TryDelete(DataDir);
        }
    }

    private async Task LaunchAsync(int port)
    {
        var startInfo = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = DataDir,
        };
        startInfo.ArgumentList.Add(BerthDll);
        startInfo.ArgumentList.Add("serve");
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        startInfo.Environment["Berth__DataDir"] = DataDir;
        if (_passAdminPassword)
        {
            startInfo.Environment["Berth__Admin__Password"] = AdminPassword;
        }
        else
        {
            startInfo.Environment.Remove("Berth__Admin__Password");
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        startInfo.Environment["Logging__Console__ColorBehavior"] = "Disabled";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        // Pull counts reach the store within moments, so tests can read them back without waiting long.
        startInfo.Environment["Berth__Stats__FlushInterval"] = "00:00:00.200";

        // Deletes are final at once unless a test asks for a recovery window (extraEnvironment overrides this): most
        // tests check that a delete frees storage.
        startInfo.Environment["Berth__Retention__RecoveryWindow"] = "00:00:00";

        // Settings of the machine that runs the tests must not leak into the server under test.
        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment.Remove("Berth__PublicHost");
        startInfo.Environment.Remove("Berth__DomainSuffix");
        foreach (var (key, value) in _extraEnvironment)
        {
            startInfo.Environment[key] = value;
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            Append(line);
            var match = ListeningRegex().Match(StripAnsi(line));
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException("the Berth server exited before it was listening"));

        Append($"[test harness] starting {DotnetHost} {BerthDll} serve --urls http://127.0.0.1:{port} (data dir {DataDir})");
        if (!File.Exists(BerthDll))
        {
            throw new InvalidOperationException($"{BerthDll} does not exist; is Berth.Cli referenced by the test project?");
        }

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        _process = process;

        var timeout = Task.Delay(StartupTimeout);
        var finished = await Task.WhenAny(listening.Task, timeout);
        if (finished == timeout || listening.Task.IsFaulted)
        {
            await StopAsync();

            // Give the output readers a moment to drain what the process printed last.
            await Task.Delay(200);
            var reason = finished == timeout
                ? $"did not print 'Now listening on:' within {StartupTimeout.TotalSeconds:0} s"
                : "exited before it was listening";
            throw new InvalidOperationException($"Berth server {reason}. Output:\n{OutputTail()}");
        }

        _port = await listening.Task;
        Append($"[test harness] server is listening on {Host}");
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string StripAnsi(string line) => AnsiRegex().Replace(line, "");

    [GeneratedRegex(@"Now listening on:\s*https?://[^\s:/]+:(?<port>\d+)")]
    private static partial Regex ListeningRegex();

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiRegex();
}
