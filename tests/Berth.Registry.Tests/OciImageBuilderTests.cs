using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// The image builder on its own (no Berth server): its layouts must be real images for skopeo and podman,
/// otherwise every registry test built on them would fail for the wrong reason.
/// </summary>
public sealed class OciImageBuilderTests : IDisposable
{
    private readonly string _workDir = TempDirs.Create("builder");

    public void Dispose() => TempDirs.TryDelete(_workDir);

    [Fact]
    public void LayoutIsInternallyConsistent()
    {
        var image = new OciImageBuilder { Seed = 11, LayerCount = 3, FilesPerLayer = 2, FileSize = 4096, Tag = "v1" }
            .Build(Path.Combine(_workDir, "layout"));

        Assert.Equal(3, image.Layers.Count);
        Assert.Equal(3, image.Layers.Select(l => l.Digest).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(image.LayoutDir, "oci-layout")));
        Assert.Equal(image.ManifestDigest, OciLayout.FindTag(image.LayoutDir, "v1").Digest);

        using var config = JsonDocument.Parse(image.ConfigBytes);
        Assert.Equal("amd64", config.RootElement.GetProperty("architecture").GetString());
        Assert.Equal("linux", config.RootElement.GetProperty("os").GetString());
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()
            .Select(d => d.GetString()).ToList();
        Assert.Equal(image.Layers.Select(l => l.DiffId), diffIds);
        Assert.Equal(3, config.RootElement.GetProperty("history").GetArrayLength());

        foreach (var layer in image.Layers)
        {
            var compressed = image.ReadBlob(layer.Digest);
            Assert.Equal(layer.Size, compressed.LongLength);
            Assert.Equal(layer.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(compressed)));

            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var tar = new MemoryStream();
            gzip.CopyTo(tar);
            Assert.Equal(layer.DiffId, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray())));

            tar.Position = 0;
            using var reader = new TarReader(tar);
            var files = 0;
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType == TarEntryType.RegularFile)
                {
                    files++;
                    Assert.Equal(4096, entry.Length);
                }
            }

            Assert.Equal(2, files);
        }
    }

    [Fact]
    public void SameSeedGivesSameImageAndDifferentSeedsShareNothing()
    {
        var a = new OciImageBuilder { Seed = 5, LayerCount = 2 }.Build(Path.Combine(_workDir, "a"));
        var b = new OciImageBuilder { Seed = 5, LayerCount = 2 }.Build(Path.Combine(_workDir, "b"));
        var c = new OciImageBuilder { Seed = 6, LayerCount = 2 }.Build(Path.Combine(_workDir, "c"));

        Assert.Equal(a.ManifestDigest, b.ManifestDigest);
        Assert.Empty(a.Layers.Select(l => l.Digest).Intersect(c.Layers.Select(l => l.Digest)));
    }

    [Fact]
    public void SeveralTagsShareOneLayout()
    {
        var dir = Path.Combine(_workDir, "multi");
        var one = new OciImageBuilder { Seed = 1, LayerCount = 1, Tag = "one" }.Build(dir);
        var two = new OciImageBuilder { Seed = 2, LayerCount = 1, Tag = "two" }.Build(dir);

        Assert.Equal(one.ManifestDigest, OciLayout.FindTag(dir, "one").Digest);
        Assert.Equal(two.ManifestDigest, OciLayout.FindTag(dir, "two").Digest);
    }

    [Fact]
    public async Task SkopeoAcceptsTheLayout()
    {
        var image = new OciImageBuilder { Seed = 21, LayerCount = 3, Tag = "v1" }.Build(Path.Combine(_workDir, "src"));
        var skopeo = new Skopeo(Path.Combine(_workDir, "skopeo"));

        var inspect = (await skopeo.InspectAsync(image.OciReference)).EnsureSuccess();
        using (var json = JsonDocument.Parse(inspect.Stdout))
        {
            Assert.Equal(image.ManifestDigest, json.RootElement.GetProperty("Digest").GetString());
            Assert.Equal(image.Layers.Select(l => l.Digest),
                json.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal("amd64", json.RootElement.GetProperty("Architecture").GetString());
        }

        Assert.Equal(image.ManifestDigest, await skopeo.RawManifestDigestAsync(image.OciReference));

        var copyDir = Path.Combine(_workDir, "copy");
        (await skopeo.CopyAsync(image.OciReference, $"oci:{copyDir}:v1")).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, OciLayout.FindTag(copyDir, "v1").Digest);
        foreach (var (digest, _) in image.Blobs)
        {
            Assert.Equal(image.ReadBlob(digest), File.ReadAllBytes(OciLayout.BlobPath(copyDir, digest)));
        }
    }

    [Fact]
    public async Task PodmanPullsTheLayout()
    {
        var image = new OciImageBuilder { Seed = 31, LayerCount = 3, Tag = "v1" }.Build(Path.Combine(_workDir, "podsrc"));
        using var podman = new Podman(Path.Combine(_workDir, "podman"));

        (await podman.PullAsync(image.OciReference)).EnsureSuccess();
        Assert.Equal(image.ImageId, await podman.InspectAsync(image.ImageId, "{{.Id}}"));

        // Round trip out of podman's storage into another layout: same config, same uncompressed content.
        var outDir = Path.Combine(_workDir, "podout");
        (await podman.PushAsync(image.ImageId, $"oci:{outDir}:v1")).EnsureSuccess();
        var pushed = OciLayout.FindTag(outDir, "v1");
        var (config, layers) = OciLayout.ReadManifestBlobs(outDir, pushed.Digest);
        Assert.Equal(image.ConfigDigest, config);
        Assert.Equal(3, layers.Count);

        (await podman.RmiAsync(image.ImageId)).EnsureSuccess();
        Assert.False(await podman.ImageExistsAsync(image.ImageId));
    }
}
