using System.Text;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;
using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>Small blobs and manifests for raw /v2 tests.</summary>
public static class ImageContent
{
    /// <summary>The OCI empty descriptor's content: the two bytes <c>{}</c>.</summary>
    public static readonly byte[] EmptyJson = "{}"u8.ToArray();

    public const string EmptyJsonDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    /// <summary>Unique pseudo-random bytes (never shared between calls).</summary>
    public static byte[] RandomBlob(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string DigestOf(byte[] content, string algorithm = Digest.Sha256) => Digest.Compute(content, algorithm).ToString();

    /// <summary>An image config for a single-layer image whose layer has the given diff id.</summary>
    public static byte[] Config(string diffId, string? label = null) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["architecture"] = "amd64",
        ["os"] = "linux",
        ["config"] = new JsonObject { ["Labels"] = new JsonObject { ["test"] = label ?? Guid.NewGuid().ToString("N") } },
        ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
    }.ToJsonString());

    /// <summary>An OCI image manifest over the given config and layers.</summary>
    public static byte[] Manifest((string Digest, long Size) config, params (string Digest, long Size)[] layers) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = OciImageBuilder.Descriptor(OciImageBuilder.ConfigMediaType, config.Digest, config.Size),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)OciImageBuilder.Descriptor(
                "application/vnd.oci.image.layer.v1.tar", l.Digest, l.Size)).ToArray()),
        }.ToJsonString());

    /// <summary>An OCI 1.1 artifact manifest (empty config) that refers to <paramref name="subject"/>.</summary>
    public static byte[] Artifact(string artifactType, (string Digest, long Size) subject, string annotation) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = OciImageBuilder.Descriptor(MediaTypes.OciEmpty, EmptyJsonDigest, 2),
            ["layers"] = new JsonArray(OciImageBuilder.Descriptor(MediaTypes.OciEmpty, EmptyJsonDigest, 2)),
            ["subject"] = OciImageBuilder.Descriptor(MediaTypes.OciManifest, subject.Digest, subject.Size),
            ["annotations"] = new JsonObject { ["org.example.note"] = annotation },
        }.ToJsonString());

    /// <summary>An OCI index over the given manifests.</summary>
    public static byte[] Index(params (string Digest, long Size)[] manifests) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(manifests.Select(m =>
            {
                var descriptor = OciImageBuilder.Descriptor(MediaTypes.OciManifest, m.Digest, m.Size);
                descriptor["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" };
                return (JsonNode)descriptor;
            }).ToArray()),
        }.ToJsonString());

    /// <summary>
    /// Pushes a small single-layer image (random layer + config) to NAME:TAG through <paramref name="client"/>;
    /// returns the manifest digest, its bytes and the blobs.
    /// </summary>
    public static async Task<PushedImage> PushSmallImageAsync(RegistryClient client, string name, string tag, int layerSize = 1024)
    {
        var layer = RandomBlob(layerSize);
        var layerDigest = await client.PushBlobAsync(name, layer);
        var config = Config(layerDigest);
        var configDigest = await client.PushBlobAsync(name, config);
        var manifest = Manifest((configDigest, config.Length), (layerDigest, layer.Length));
        var manifestDigest = await client.PushManifestAsync(name, tag, manifest);
        return new PushedImage(manifestDigest, manifest, configDigest, config, layerDigest, layer);
    }
}

public sealed record PushedImage(string Digest, byte[] Manifest, string ConfigDigest, byte[] Config, string LayerDigest, byte[] Layer)
{
    public (string Digest, long Size) Descriptor => (Digest, Manifest.LongLength);
}
