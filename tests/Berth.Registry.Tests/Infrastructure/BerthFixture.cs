namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// One Berth server per test class (xunit class fixture): started before the first test, killed after the last.
/// Tests isolate themselves by creating their own project/registry through <see cref="Admin"/>.
/// </summary>
public sealed class BerthFixture : IAsyncLifetime, IDisposable
{
    private BerthProcess? _server;
    private ManagementClient? _admin;

    public BerthProcess Server => _server ?? throw new InvalidOperationException("server not started");

    public ManagementClient Admin => _admin ?? throw new InvalidOperationException("server not started");

    /// <summary>A scratch directory for this fixture (image layouts, tool state), removed at the end.</summary>
    public string WorkDir { get; } = TempDirs.Create("berth-work");

    public async Task InitializeAsync()
    {
        _server = await BerthProcess.StartAsync();
        _admin = new ManagementClient(_server.BaseUrl, "admin", _server.AdminPassword);
    }

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempDirs.TryDelete(WorkDir);
    }

    public void Dispose() => _admin?.Dispose();

    /// <summary>A fresh project with one registry in it.</summary>
    public Task<CreatedRegistry> NewRegistryAsync(string prefix = "t") => Admin.CreateProjectAndRegistryAsync(prefix);

    /// <summary>A raw /v2 client with <paramref name="registry"/>'s credentials.</summary>
    public RegistryClient Client(CreatedRegistry registry, RegistryAuthMode mode = RegistryAuthMode.Bearer) =>
        new(Server, registry, mode);

    /// <summary>A new empty directory below <see cref="WorkDir"/>.</summary>
    public string NewDir(string name)
    {
        var path = Path.Combine(WorkDir, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Builds an image into a new layout directory.</summary>
    public OciImage BuildImage(int seed, int layers = 3, string tag = "latest", int fileSize = 16 * 1024) =>
        new OciImageBuilder { Seed = seed, LayerCount = layers, Tag = tag, FileSize = fileSize }.Build(NewDir("layout"));

    /// <summary>Appended to assertion messages: what the server printed recently.</summary>
    public string ServerLog => "\n--- Berth server output (tail) ---\n" + (_server?.OutputTail() ?? "(not started)");
}
