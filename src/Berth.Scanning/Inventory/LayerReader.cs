using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using Berth.Core;
using ZstdSharp;

namespace Berth.Scanning.Inventory;

/// <summary>
/// Streams a layer's tar entries straight from the (possibly compressed) blob stream: the layer itself is never
/// buffered, and only the files the caller asks for are read into memory, each at most <see cref="MaxFileSize"/>.
/// </summary>
public static class LayerReader
{
    public const string OciLayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Larger files are skipped: no package database or binary worth analysing is bigger, and memory stays bounded.</summary>
    public const long MaxFileSize = 64L * 1024 * 1024;

    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    public static async IAsyncEnumerable<LayerEntry> ReadAsync(
        Stream layer, string mediaType, Func<LayerFile, bool> wants, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var decompressed = Decompress(layer, mediaType);
        var tracked = new LastBlockStream(decompressed);
        await using var tar = new TarReader(tracked, leaveOpen: true);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var path = NormalisePath(entry.Name);
            if (path.Length == 0)
            {
                continue;
            }

            var (directory, name) = Split(path);
            if (name == OpaqueMarker)
            {
                yield return new LayerEntry(directory, LayerEntryKind.OpaqueDirectory, default, null);
            }
            else if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                yield return new LayerEntry(Join(directory, name[WhiteoutPrefix.Length..]), LayerEntryKind.Whiteout, default, null);
            }
            else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
            {
                var content = entry.Length <= MaxFileSize && entry.DataStream is { } data && wants(new LayerFile(path, entry.Mode, entry.Length))
                    ? await ReadAllAsync(data, entry.Length, cancellationToken)
                    : null;
                yield return new LayerEntry(path, LayerEntryKind.File, entry.Mode, content);
            }
            else if (entry.EntryType == TarEntryType.Directory)
            {
                yield return new LayerEntry(path, LayerEntryKind.Directory, entry.Mode, null);
            }
            else
            {
                yield return new LayerEntry(path, LayerEntryKind.Other, entry.Mode, null);
            }
        }

        // TarReader also ends, silently, at a header it takes for the end-of-archive marker (one whose checksum field
        // starts with NUL): the rest of the layer would go unread and the inventory be quietly incomplete.
        if (!tracked.EndedCleanly)
        {
            throw new InvalidDataException("the tar archive ends at a block that is not empty (a header the reader could not parse): the rest of the layer is unreadable");
        }
    }

    /// <summary>Image paths are relative to the root with no leading "./" or "/" and no trailing "/", as the analysers match them.</summary>
    public static string NormalisePath(string path)
    {
        var p = path.Replace('\\', '/');
        while (true)
        {
            if (p.StartsWith("./", StringComparison.Ordinal))
            {
                p = p[2..];
            }
            else if (p.StartsWith('/'))
            {
                p = p[1..];
            }
            else
            {
                break;
            }
        }
        p = p.TrimEnd('/');
        return p == "." ? "" : p;
    }

    public static bool IsSupported(string mediaType) => mediaType is OciLayerTar or OciLayerGzip or OciLayerZstd or DockerLayerGzip;

    private static Stream Decompress(Stream layer, string mediaType) => mediaType switch
    {
        OciLayerTar => new NonClosingStream(layer),
        OciLayerGzip or DockerLayerGzip => new GZipStream(layer, CompressionMode.Decompress, leaveOpen: true),
        OciLayerZstd => new DecompressionStream(layer, leaveOpen: true),
        _ => throw new NotSupportedException($"layer media type '{mediaType}' is not supported"),
    };

    private static async Task<byte[]> ReadAllAsync(Stream data, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        await data.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    private static (string Directory, string Name) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>
    /// Remembers the last tar block read, so that the end TarReader reports can be checked: a real end is a zero block
    /// (a stream that stops without one makes TarReader throw <see cref="EndOfStreamException"/> itself).
    /// </summary>
    private sealed class LastBlockStream(Stream inner) : ForwardReadStream
    {
        private const int BlockSize = 512;

        private readonly byte[] _tail = new byte[BlockSize];
        private int _tailLength;

        public bool EndedCleanly => _tailLength == BlockSize && !_tail.AsSpan().ContainsAnyExcept((byte)0);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Remember(buffer[..read]);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Remember(buffer.Span[..read]);
            return read;
        }

        private void Remember(ReadOnlySpan<byte> read)
        {
            if (read.Length >= BlockSize)
            {
                read[^BlockSize..].CopyTo(_tail);
                _tailLength = BlockSize;
            }
            else
            {
                // Keep the newest bytes already held, then append: the tail is always the last bytes read.
                var keep = Math.Min(_tailLength, BlockSize - read.Length);
                _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
                read.CopyTo(_tail.AsSpan(keep));
                _tailLength = keep + read.Length;
            }
        }
    }

    /// <summary>Lets an uncompressed layer share the disposal path of the compressed ones without closing the caller's stream.</summary>
    private sealed class NonClosingStream(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    }
}
