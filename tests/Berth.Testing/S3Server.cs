using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Xunit;

namespace Berth.Testing;

/// <summary>
/// A throwaway S3 server for a test collection: s3rver (Node.js, objects kept as files) on a free loopback port with
/// a temporary directory, killed and deleted on dispose. It starts with one bucket (<see cref="Bucket"/>); tests that
/// need more take them from <see cref="CreateBucketAsync"/>. Needs s3rver installed by
/// scripts/install-test-deps.sh (under BERTH_TEST_TOOLS, default /opt/berth-test-tools) and fails, never skips,
/// without it.
/// <para>
/// s3rver lacks AbortMultipartUpload, ListMultipartUploads and UploadPartCopy (it answers them with an error), does
/// not check SigV4 signatures (it accepts any), and its multipart ETags carry no part count. It also decodes the
/// x-amz-copy-source header with decodeURI, which leaves the %2F that AWS SDK v4 sends between bucket and key, so
/// every CopyObject would fail; the fixture preloads a one-line fix (<see cref="CopySourceFix"/>).
/// </para>
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    /// <summary>s3rver's built-in account.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public const string Region = "us-east-1";

    // A cold start (node loading the package) takes about a second; the bound is for slow CI machines.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int RecentLogLines = 200;

    /// <summary>
    /// Node preload for s3rver: its only decodeURI call is on x-amz-copy-source, which S3 (and the SDK) treat as one
    /// URL-encoded component, so decodeURIComponent is what it should have used.
    /// </summary>
    private const string CopySourceFix = "globalThis.decodeURI = decodeURIComponent;\n";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "berth-s3-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> _log = [];
    private Process? _process;

    public Uri ServiceUrl { get; private set; } = new("http://127.0.0.1/");

    public string Bucket { get; private set; } = "";

    public AWSCredentials Credentials { get; } = new BasicAWSCredentials(AccessKey, SecretKey);

    public async Task InitializeAsync()
    {
        var script = FindServerScript();
        Directory.CreateDirectory(_directory);
        var fix = Path.Combine(_directory, "copy-source-fix.js");
        await File.WriteAllTextAsync(fix, CopySourceFix);
        var port = FreeLoopbackPort();
        ServiceUrl = new Uri($"http://127.0.0.1:{port}/");

        var startInfo = new ProcessStartInfo
        {
            FileName = "node",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[] { "--require", fix, script, "--directory", Path.Combine(_directory, "data"), "--address", "127.0.0.1", "--port", port.ToString(), "--no-vhost-buckets" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node not found: s3rver needs Node.js (scripts/install-test-deps.sh)", e);
        }

        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Bucket = await WaitUntilReadyAsync();
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>A client for this server, for tests that look behind a driver's back.</summary>
    /// <summary>What a <c>berth serve</c> process needs to keep its blobs in <paramref name="bucket"/> of this server.</summary>
    public Dictionary<string, string> BerthEnvironment(string bucket) => new()
    {
        ["Berth__Storage__Provider"] = "s3",
        ["Berth__Storage__S3__Bucket"] = bucket,
        ["Berth__Storage__S3__ServiceUrl"] = ServiceUrl.ToString(),
        ["Berth__Storage__S3__Region"] = Region,
        ["Berth__Storage__S3__ForcePathStyle"] = "true",
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
    };

    public AmazonS3Client CreateClient() => new(Credentials, new AmazonS3Config
    {
        ServiceURL = ServiceUrl.ToString(),
        AuthenticationRegion = Region,
        ForcePathStyle = true,
        // s3rver stores aws-chunked bodies verbatim, so no checksum trailers (see S3BlobDriver).
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>A new, empty bucket.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = "berth-" + Guid.NewGuid().ToString("N");
        using var client = CreateClient();
        await client.PutBucketAsync(name);
        return name;
    }

    /// <summary>How many lines the server has logged so far: a mark for <see cref="LogSince"/>.</summary>
    public int LogLineCount
    {
        get
        {
            lock (_log)
            {
                return _log.Count;
            }
        }
    }

    /// <summary>
    /// The lines logged since <paramref name="mark"/>. s3rver logs every request and every stored part, which shows
    /// what a client really did where its API can't (e.g. how many parts an upload had).
    /// </summary>
    public IReadOnlyList<string> LogSince(int mark)
    {
        lock (_log)
        {
            return _log[mark..];
        }
    }

    private string RecentLog()
    {
        lock (_log)
        {
            return string.Join('\n', _log.TakeLast(RecentLogLines));
        }
    }

    private async Task<string> WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with code {_process.ExitCode} while starting:\n{RecentLog()}");
            }

            try
            {
                return await CreateBucketAsync();
            }
            catch (Exception e) when (e is HttpRequestException or AmazonServiceException or IOException or TaskCanceledException)
            {
                last = e;
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"s3rver did not answer on {ServiceUrl} within {StartTimeout.TotalSeconds} s ({last?.Message}):\n{RecentLog()}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }
    }

    private static string FindServerScript()
    {
        var tools = Environment.GetEnvironmentVariable("BERTH_TEST_TOOLS") is { Length: > 0 } custom ? custom : "/opt/berth-test-tools";
        var script = Path.Combine(tools, "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        return File.Exists(script)
            ? script
            : throw new InvalidOperationException(
                $"s3rver not found at {script}: run scripts/install-test-deps.sh, which installs it with npm.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
