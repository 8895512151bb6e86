using Berth.Scanning.Inventory;
using Berth.Testing;

namespace Berth.Scanning.Tests.Inventory;

public class LayerTests
{
    [Theory]
    [InlineData("./etc/os-release", "etc/os-release")]
    [InlineData("/etc/os-release", "etc/os-release")]
    [InlineData("././usr/lib/", "usr/lib")]
    [InlineData("./", "")]
    [InlineData("etc", "etc")]
    public void PathsAreNormalised(string raw, string expected) => Assert.Equal(expected, LayerReader.NormalisePath(raw));

    [Fact]
    public async Task ReadsOnlyWantedFilesAndReportsMarkers()
    {
        var (layer, mediaType) = new TestLayer()
            .Directory("./etc/")
            .File("./etc/wanted", "yes")
            .File("./etc/unwanted", "no")
            .Marker("./etc/.wh.gone")
            .Marker("./opt/.wh..wh..opq")
            .Symlink("./etc/link", "wanted")
            .Uncompressed();

        var entries = new List<LayerEntry>();
        await foreach (var entry in LayerReader.ReadAsync(layer, mediaType, f => f.Path == "etc/wanted", CancellationToken.None))
        {
            entries.Add(entry);
        }

        Assert.Equal(
            [("etc", LayerEntryKind.Directory, (string?)null), ("etc/wanted", LayerEntryKind.File, "yes"), ("etc/unwanted", LayerEntryKind.File, null),
             ("etc/gone", LayerEntryKind.Whiteout, null), ("opt", LayerEntryKind.OpaqueDirectory, null), ("etc/link", LayerEntryKind.Other, null)],
            entries.Select(e => (e.Path, e.Kind, e.Content is null ? null : System.Text.Encoding.UTF8.GetString(e.Content))));
    }

    [Fact]
    public async Task UnknownMediaTypesAreRefused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(async () =>
        {
            await foreach (var _ in LayerReader.ReadAsync(new MemoryStream(), "application/x-bogus", _ => true, CancellationToken.None))
            {
            }
        });
    }

    [Fact]
    public void WhiteoutsAndOpaqueDirectoriesHideOnlyLowerLayers()
    {
        var filesystem = new ImageFilesystem<string>();
        filesystem.ApplyLayer([], [], [new("a/one", "1"), new("a/sub/two", "2"), new("b/three", "3"), new("ab", "4"), new("c/keep", "5")]);
        // Order within the layer doesn't matter: the layer's own a/new survives its opaque marker on a/.
        filesystem.ApplyLayer(whiteouts: ["b"], opaqueDirectories: ["a"], files: [new("a/new", "6"), new("c/keep", null)]);

        Assert.Equal(["a/new", "ab"], filesystem.Files.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AHeaderTheTarReaderTakesForTheEndFailsTheLayerInsteadOfEndingItEarly()
    {
        var tar = new TestLayer().File("etc/first", "1").File("etc/second", "2").File("etc/third", "3").Tar();

        // TarReader stops, without an error, at a header whose checksum field starts with NUL: the rest would be lost.
        var second = HeaderOffset(tar, "etc/second");
        tar[second + 148] = 0;

        var read = new List<string>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var entry in LayerReader.ReadAsync(new MemoryStream(tar), LayerReader.OciLayerTar, _ => false, CancellationToken.None))
            {
                read.Add(entry.Path);
            }
        });

        Assert.Equal(["etc/first"], read);
        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The offset of the ustar header block (not a PAX extended header) that names <paramref name="name"/>.</summary>
    private static int HeaderOffset(byte[] tar, string name)
    {
        for (var offset = 0; offset + 512 <= tar.Length; offset += 512)
        {
            if (System.Text.Encoding.ASCII.GetString(tar, offset, 100).TrimEnd('\0') == name && tar[offset + 156] == (byte)'0')
            {
                return offset;
            }
        }

        throw new InvalidOperationException($"no header for {name}");
    }
}
