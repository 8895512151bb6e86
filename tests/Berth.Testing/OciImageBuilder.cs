using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;

namespace Berth.Testing;

/// <summary>A layer: the gzip-compressed tar as stored in the registry, and its uncompressed diff id.</summary>
public sealed record OciLayer(string Digest, long Size, string DiffId, string MediaType);

/// <summary>An image written into an OCI image layout directory.</summary>
public sealed record OciImage(
    string LayoutDir,
    string Tag,
    string ManifestDigest,
    byte[] ManifestBytes,
    string ConfigDigest,
    byte[] ConfigBytes,
    IReadOnlyList<OciLayer> Layers)
{
    /// <summary><c>oci:DIR:TAG</c> for skopeo and podman.</summary>
    public string OciReference => $"oci:{LayoutDir}:{Tag}";

    /// <summary>The config digest without <c>sha256:</c>: podman's image id.</summary>
    public string ImageId => ConfigDigest["sha256:".Length..];

    /// <summary>Every blob of the image (config and layers) with its size.</summary>
    public IEnumerable<(string Digest, long Size)> Blobs =>
        Layers.Select(l => (l.Digest, l.Size)).Prepend((ConfigDigest, ConfigBytes.LongLength));

    public string BlobPath(string digest) => OciLayout.BlobPath(LayoutDir, digest);

    public byte[] ReadBlob(string digest) => File.ReadAllBytes(BlobPath(digest));
}

/// <summary>
/// Synthesises real OCI images on disk: an image layout (<c>oci-layout</c>, <c>index.json</c>,
/// <c>blobs/sha256/…</c>) with N layers, each a gzip-compressed tar of a few files of deterministic pseudo-random
/// content, a valid image config (amd64/linux, <c>rootfs.diff_ids</c>, history) and the manifest, tagged in
/// <c>index.json</c> with <c>org.opencontainers.image.ref.name</c>. Several images can share one layout.
/// </summary>
public sealed class OciImageBuilder
{
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public int LayerCount { get; init; } = 3;

    public int FilesPerLayer { get; init; } = 3;

    /// <summary>Bytes per file. Random content hardly compresses, so a layer is about FilesPerLayer × FileSize.</summary>
    public int FileSize { get; init; } = 32 * 1024;

    /// <summary>Seeds the content; images built with different seeds share no layers.</summary>
    public int Seed { get; init; } = 1;

    public string Tag { get; init; } = "latest";

    /// <summary>Layers to put below the generated ones (e.g. to build images that share a base layer).</summary>
    public IReadOnlyList<(byte[] Compressed, string DiffId)> BaseLayers { get; init; } = [];

    /// <summary>Writes the image into <paramref name="layoutDir"/> (created or extended) and returns it.</summary>
    public OciImage Build(string layoutDir)
    {
        OciLayout.Initialise(layoutDir);
        var layers = new List<OciLayer>();
        var history = new JsonArray();
        foreach (var (compressed, diffId) in BaseLayers)
        {
            layers.Add(WriteLayer(layoutDir, compressed, diffId));
            history.Add(new JsonObject { ["created"] = Stamp(0), ["created_by"] = "berth-tests base layer" });
        }

        for (var i = 0; i < LayerCount; i++)
        {
            var (compressed, diffId) = CreateLayer(Seed, i, FilesPerLayer, FileSize);
            layers.Add(WriteLayer(layoutDir, compressed, diffId));
            history.Add(new JsonObject
            {
                ["created"] = Stamp(i + 1),
                ["created_by"] = $"berth-tests layer {i} (seed {Seed})",
            });
        }

        var config = new JsonObject
        {
            ["created"] = Stamp(LayerCount + 1),
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray("/bin/sh"),
                ["Labels"] = new JsonObject { ["org.example.seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode)JsonValue.Create(l.DiffId)!).ToArray()),
            },
            ["history"] = history,
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configDigest = OciLayout.WriteBlob(layoutDir, configBytes);

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = Descriptor(ConfigMediaType, configDigest, configBytes.LongLength),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Descriptor(l.MediaType, l.Digest, l.Size)).ToArray()),
            ["annotations"] = new JsonObject { ["org.opencontainers.image.created"] = Stamp(LayerCount + 1) },
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var manifestDigest = OciLayout.WriteBlob(layoutDir, manifestBytes);
        OciLayout.AddToIndex(layoutDir, MediaTypes.OciManifest, manifestDigest, manifestBytes.LongLength, Tag);

        return new OciImage(layoutDir, Tag, manifestDigest, manifestBytes, configDigest, configBytes, layers);
    }

    /// <summary>A gzip-compressed tar of <paramref name="files"/> files of pseudo-random bytes, and its diff id.</summary>
    public static (byte[] Compressed, string DiffId) CreateLayer(int seed, int index, int files, int fileSize)
    {
        var random = new Random(unchecked((seed * 1_000_003) + (index * 7919)) & 0x7fffffff);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var directory = $"berth-test/s{seed}-l{index}/";
            writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "berth-test/")
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                    | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                ModificationTime = Epoch,
            });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, directory)
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                    | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                ModificationTime = Epoch,
            });
            for (var f = 0; f < files; f++)
            {
                var content = new byte[fileSize];
                random.NextBytes(content);
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{directory}file-{f}.bin")
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    ModificationTime = Epoch,
                    DataStream = new MemoryStream(content),
                });
            }
        }

        var uncompressed = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(uncompressed);
        }

        return (gz.ToArray(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(uncompressed)));
    }

    private static OciLayer WriteLayer(string layoutDir, byte[] compressed, string diffId) =>
        new(OciLayout.WriteBlob(layoutDir, compressed), compressed.LongLength, diffId, LayerMediaType);

    public static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private static string Stamp(int minutes) => Epoch.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Reading and writing OCI image layout directories.</summary>
public static class OciLayout
{
    public static void Initialise(string layoutDir)
    {
        Directory.CreateDirectory(Path.Combine(layoutDir, "blobs", "sha256"));
        var layoutFile = Path.Combine(layoutDir, "oci-layout");
        if (!File.Exists(layoutFile))
        {
            File.WriteAllText(layoutFile, "{\"imageLayoutVersion\":\"1.0.0\"}");
        }

        var index = Path.Combine(layoutDir, "index.json");
        if (!File.Exists(index))
        {
            File.WriteAllText(index, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[]}");
        }
    }

    public static string BlobPath(string layoutDir, string digest)
    {
        var parsed = Digest.Parse(digest);
        return Path.Combine(layoutDir, "blobs", parsed.Algorithm, parsed.Encoded);
    }

    /// <summary>Stores content under its sha256 digest and returns the digest.</summary>
    public static string WriteBlob(string layoutDir, byte[] content)
    {
        var digest = Digest.Compute(content).ToString();
        var path = BlobPath(layoutDir, digest);
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, content);
        }

        return digest;
    }

    /// <summary>Adds (or retags) a manifest in index.json under the ref name <paramref name="tag"/>.</summary>
    public static void AddToIndex(string layoutDir, string mediaType, string digest, long size, string tag)
    {
        var indexPath = Path.Combine(layoutDir, "index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!.AsObject();
        var manifests = index["manifests"]?.AsArray() ?? [];
        index["manifests"] = manifests;
        foreach (var existing in manifests.ToList())
        {
            if (existing?["annotations"]?[OciImageBuilder.RefNameAnnotation]?.GetValue<string>() == tag)
            {
                manifests.Remove(existing);
            }
        }

        var descriptor = OciImageBuilder.Descriptor(mediaType, digest, size);
        descriptor["annotations"] = new JsonObject { [OciImageBuilder.RefNameAnnotation] = tag };
        manifests.Add(descriptor);
        File.WriteAllText(indexPath, index.ToJsonString());
    }

    /// <summary>The manifest descriptor tagged <paramref name="tag"/> in a layout's index.json.</summary>
    public static (string MediaType, string Digest, long Size) FindTag(string layoutDir, string tag)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(layoutDir, "index.json")));
        foreach (var descriptor in document.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (descriptor.TryGetProperty("annotations", out var annotations)
                && annotations.TryGetProperty(OciImageBuilder.RefNameAnnotation, out var name)
                && name.GetString() == tag)
            {
                return (descriptor.GetProperty("mediaType").GetString()!, descriptor.GetProperty("digest").GetString()!,
                    descriptor.GetProperty("size").GetInt64());
            }
        }

        throw new InvalidOperationException($"tag '{tag}' not found in {layoutDir}/index.json");
    }

    /// <summary>The layer and config digests of the manifest <paramref name="manifestDigest"/> in a layout.</summary>
    public static (string Config, IReadOnlyList<string> Layers) ReadManifestBlobs(string layoutDir, string manifestDigest)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(BlobPath(layoutDir, manifestDigest)));
        var root = document.RootElement;
        return (root.GetProperty("config").GetProperty("digest").GetString()!,
            root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList());
    }
}
