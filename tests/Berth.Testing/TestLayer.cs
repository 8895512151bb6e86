using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Berth.Scanning.Inventory;
using ZstdSharp;

namespace Berth.Testing;

/// <summary>Builds a layer blob in memory, the way an image builder would write it (scanner tests: package databases, whiteouts).</summary>
public sealed class TestLayer
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly List<TarEntry> _entries = [];

    public TestLayer File(string path, string content) => File(path, Encoding.UTF8.GetBytes(content));

    public TestLayer File(string path, byte[] content, bool executable = false)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, path)
        {
            DataStream = new MemoryStream(content),
            Mode = executable ? ExecutableMode : FileMode,
        });
        return this;
    }

    public TestLayer Directory(string path)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, path) { Mode = ExecutableMode });
        return this;
    }

    public TestLayer Symlink(string path, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target });
        return this;
    }

    /// <summary>An empty file, as whiteout markers are.</summary>
    public TestLayer Marker(string path) => File(path, []);

    public byte[] Tar()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public (Stream Layer, string MediaType) Gzip(string mediaType = LayerReader.OciLayerGzip)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Tar());
        }

        buffer.Position = 0;
        return (buffer, mediaType);
    }

    public (Stream Layer, string MediaType) Zstd()
    {
        var buffer = new MemoryStream();
        using (var zstd = new CompressionStream(buffer, leaveOpen: true))
        {
            zstd.Write(Tar());
        }

        buffer.Position = 0;
        return (buffer, LayerReader.OciLayerZstd);
    }

    public (Stream Layer, string MediaType) Uncompressed() => (new MemoryStream(Tar()), LayerReader.OciLayerTar);
}
