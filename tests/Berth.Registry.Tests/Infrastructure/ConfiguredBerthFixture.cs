using System.Net.Http.Headers;
using System.Security.Cryptography;
using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// One Berth server per test class whose process gets the subclass's extra environment variables (Berth options such
/// as <c>Berth__Auth__FailedLoginsBeforeDelay</c>); <see cref="BerthFixture"/> is the one with none.
/// </summary>
public abstract class ConfiguredBerthFixture : IAsyncLifetime, IDisposable
{
    private BerthProcess? _server;
    private ManagementClient? _admin;

    protected abstract IReadOnlyDictionary<string, string> Environment { get; }

    public BerthProcess Server => _server ?? throw new InvalidOperationException("server not started");

    public ManagementClient Admin => _admin ?? throw new InvalidOperationException("server not started");

    public string WorkDir { get; } = TempDirs.Create("berth-work");

    public async Task InitializeAsync()
    {
        _server = await BerthProcess.StartAsync(extraEnvironment: Environment);
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

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _admin?.Dispose();
        }
    }

    public Task<CreatedRegistry> NewRegistryAsync(string prefix = "t") => Admin.CreateProjectAndRegistryAsync(prefix);

    public RegistryClient Client(CreatedRegistry registry, RegistryAuthMode mode = RegistryAuthMode.Bearer) =>
        new(Server, registry, mode);

    public string NewDir(string name)
    {
        var path = Path.Combine(WorkDir, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(path);
        return path;
    }

    public OciImage BuildImage(int seed, int layers = 3, string tag = "latest", int fileSize = 16 * 1024) =>
        new OciImageBuilder { Seed = seed, LayerCount = layers, Tag = tag, FileSize = fileSize }.Build(NewDir("layout"));

    public string ServerLog => "\n--- Berth server output (tail) ---\n" + (_server?.OutputTail() ?? "(not started)");
}

/// <summary>Storage on disk of a data directory: which registry trees exist and what files they hold.</summary>
public static class BlobTree
{
    /// <summary><c>&lt;dataDir&gt;/blobs/registries</c>.</summary>
    public static string RegistriesRoot(string dataDir) => Path.Combine(dataDir, "blobs", "registries");

    /// <summary>The registry ids that have a directory on disk.</summary>
    public static HashSet<string> RegistryIds(string dataDir)
    {
        var root = RegistriesRoot(dataDir);
        return Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The single registry directory created between two snapshots.</summary>
    public static string NewRegistryId(HashSet<string> before, HashSet<string> after)
    {
        var added = after.Except(before).ToList();
        Assert.True(added.Count == 1, $"expected exactly one new registry directory, found [{string.Join(", ", added)}]");
        return added[0];
    }

    public static string RegistryDir(string dataDir, string registryId) => Path.Combine(RegistriesRoot(dataDir), registryId);

    /// <summary>Every file under a registry's tree (empty when the tree is gone).</summary>
    public static IReadOnlyList<string> Files(string dataDir, string registryId)
    {
        var dir = RegistryDir(dataDir, registryId);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Where the filesystem driver keeps a blob's content.</summary>
    public static string BlobFile(string dataDir, string registryId, string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(RegistryDir(dataDir, registryId), "blobs", "sha256", hex[..2], hex, "data");
    }
}

/// <summary>
/// A request body of <see cref="Length"/> zero bytes, streamed (never held in memory), with Content-Length set: for
/// pushes of blobs bigger than is sensible to allocate.
/// </summary>
public sealed class ZeroContent : HttpContent
{
    private const int Chunk = 1024 * 1024;

    public ZeroContent(long length)
    {
        Length = length;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Headers.ContentLength = length;
    }

    public long Length { get; }

    /// <summary>The sha256 digest of <paramref name="length"/> zero bytes.</summary>
    public static string DigestOf(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var zeros = new byte[Chunk];
        for (var left = length; left > 0; left -= Chunk)
        {
            hash.AppendData(zeros, 0, (int)Math.Min(Chunk, left));
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var zeros = new byte[Chunk];
        for (var left = Length; left > 0; left -= Chunk)
        {
            await stream.WriteAsync(zeros.AsMemory(0, (int)Math.Min(Chunk, left)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }
}

/// <summary>A request body whose length is not announced: HttpClient sends it with Transfer-Encoding chunked.</summary>
public sealed class UnknownLengthContent : HttpContent
{
    private readonly byte[] _content;

    public UnknownLengthContent(byte[] content)
    {
        _content = content;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        stream.WriteAsync(_content).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

/// <summary>
/// A request body sent in two parts: the first at once, the second only after <see cref="Release"/>, so a test can act
/// while the server is in the middle of receiving it. Chunked unless the constructor is told to announce the length.
/// </summary>
public sealed class GatedContent : HttpContent
{
    private readonly byte[] _first;
    private readonly byte[] _second;
    private readonly bool _announceLength;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedContent(byte[] first, byte[] second, bool announceLength)
    {
        _first = first;
        _second = second;
        _announceLength = announceLength;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    /// <summary>Completes once the first part is on the wire.</summary>
    public Task FirstPartSent => _firstSent.Task;

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(_first);
        await stream.FlushAsync();
        _firstSent.TrySetResult();
        await _release.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(_second);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _first.LongLength + _second.LongLength;
        return _announceLength;
    }
}
