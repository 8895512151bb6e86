using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// Runs rootful podman fully isolated from the host's images and settings: its own storage
/// (<c>--root/--runroot</c>, the <c>vfs</c> driver, which needs neither overlay mounts nor fuse), its own tmp dir,
/// cgroupfs and file events (no systemd/journald in a container-like sandbox), a private auth file and
/// registries.conf. Registry access is plain HTTP (<c>--tls-verify=false</c>).
/// </summary>
public sealed class Podman : IDisposable
{
    private readonly ContainerTools _tools;

    public Podman(string workDir)
    {
        _tools = new ContainerTools(workDir);
        StorageRoot = Path.Combine(workDir, "storage");
        // Podman refuses a runroot path longer than 50 characters, so it lives in a short directory of its own.
        RunRoot = Path.Combine(Path.GetTempPath(), "bp-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(StorageRoot);
        Directory.CreateDirectory(RunRoot);
    }

    public string StorageRoot { get; }

    public string RunRoot { get; }

    public string AuthFile => _tools.AuthFile;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The global options every podman invocation gets.</summary>
    public IReadOnlyList<string> GlobalArguments =>
    [
        "--root", StorageRoot,
        "--runroot", RunRoot,
        "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs",
        "--events-backend", "file",
        "--tmpdir", Path.Combine(_tools.WorkDir, "libpod-tmp"),
    ];

    public Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, standardInput: null);

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? standardInput)
    {
        var all = new List<string>(GlobalArguments);
        all.AddRange(arguments);
        return ProcessRunner.RunAsync("podman", all, _tools.Environment, Timeout, standardInput);
    }

    /// <summary><c>podman login</c> into the isolated auth file, the password on stdin.</summary>
    public Task<ProcessResult> LoginAsync(string registry, string username, string password) =>
        RunAsync(
            ["login", "--tls-verify=false", "--authfile", AuthFile, "--username", username, "--password-stdin", registry],
            password + "\n");

    public Task<ProcessResult> LogoutAsync(string registry) =>
        RunAsync(["logout", "--authfile", AuthFile, registry], null);

    /// <summary><c>podman pull</c> of <c>oci:DIR:TAG</c>, <c>docker://…</c> or a registry reference.</summary>
    public Task<ProcessResult> PullAsync(string image) =>
        RunAsync(["pull", "--tls-verify=false", "--authfile", AuthFile, "--signature-policy", _tools.PolicyPath, image], null);

    /// <summary><c>podman push</c>; returns the pushed manifest digest in <paramref name="digestFile"/> when given.</summary>
    public Task<ProcessResult> PushAsync(string image, string destination, string? digestFile = null)
    {
        var arguments = new List<string>
        {
            "push", "--tls-verify=false", "--authfile", AuthFile, "--signature-policy", _tools.PolicyPath,
        };
        if (digestFile is not null)
        {
            arguments.AddRange(["--digestfile", digestFile]);
        }

        arguments.Add(image);
        arguments.Add(destination);
        return RunAsync(arguments, null);
    }

    public Task<ProcessResult> TagAsync(string image, string newName) => RunAsync("tag", image, newName);

    public Task<ProcessResult> RmiAsync(params string[] images) => RunAsync(["rmi", "--force", .. images], null);

    /// <summary>A field of <c>podman image inspect</c>, e.g. <c>{{.Id}}</c> or <c>{{.Digest}}</c>.</summary>
    public async Task<string> InspectAsync(string image, string format)
    {
        var result = (await RunAsync("image", "inspect", "--format", format, image)).EnsureSuccess();
        return result.Stdout.Trim();
    }

    public async Task<bool> ImageExistsAsync(string image) =>
        (await RunAsync("image", "exists", image)).ExitCode == 0;

    public void Dispose()
    {
        // vfs keeps plain directories (no mounts), so removing the work directory cleans everything.
        TempDirs.TryDelete(_tools.WorkDir);
        TempDirs.TryDelete(RunRoot);
    }
}
