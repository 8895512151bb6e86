using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Distribution;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Docker image manifest v2 schema 2 and manifest list: pushed over raw HTTP and served back byte for byte with their
/// own media type; and a real client converting an OCI image to v2s2 on push (skopeo --format v2s2) and pulling it back.
/// </summary>
public sealed class DockerSchema2Tests(BerthFixture fixture) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    private const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo-v2s2"));
    private CreatedRegistry _registry = null!;
    private RegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _registry = await fixture.NewRegistryAsync("dkr");
        _client = fixture.Client(_registry);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Schema2ManifestIsServedWithItsMediaTypeDigestAndLength()
    {
        var name = _registry.Repo("docker/app");
        var manifest = await PushSchema2ImageAsync(name, seed: 1, "amd64");

        using (var put = await _client.PutManifestAsync(name, "v1", manifest, MediaTypes.DockerManifest))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
            Assert.Equal(Sha256(manifest), OciAssert.Header(put, "Docker-Content-Digest"));
            Assert.Contains($"/v2/{name}/manifests/{Sha256(manifest)}", OciAssert.Header(put, "Location"), StringComparison.Ordinal);
        }

        await AssertServedAsync(name, ["v1", Sha256(manifest)], manifest, MediaTypes.DockerManifest);
    }

    [Fact]
    public async Task ManifestListIsServedWithItsMediaTypeDigestAndLength()
    {
        var name = _registry.Repo("docker/multi");
        var amd64 = await PushSchema2ImageAsync(name, seed: 2, "amd64");
        var arm64 = await PushSchema2ImageAsync(name, seed: 3, "arm64");
        await _client.PushManifestAsync(name, Sha256(amd64), amd64, MediaTypes.DockerManifest);
        await _client.PushManifestAsync(name, Sha256(arm64), arm64, MediaTypes.DockerManifest);

        var list = ManifestList((amd64, "amd64"), (arm64, "arm64"));
        using (var put = await _client.PutManifestAsync(name, "multi", list, MediaTypes.DockerManifestList))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, fixture.ServerLog);
            Assert.Equal(Sha256(list), OciAssert.Header(put, "Docker-Content-Digest"));
        }

        await AssertServedAsync(name, ["multi", Sha256(list)], list, MediaTypes.DockerManifestList);

        // The children stay addressable with their own type.
        await AssertServedAsync(name, [Sha256(arm64)], arm64, MediaTypes.DockerManifest);

        // A list naming a child the repository doesn't have is refused like an OCI index would be.
        var orphan = Schema2Manifest((ImageContent.DigestOf(ImageContent.RandomBlob(8)), 8));
        using var broken = await _client.PutManifestAsync(name, "broken", ManifestList((amd64, "amd64"), (orphan, "s390x")), MediaTypes.DockerManifestList);
        await OciAssert.ErrorAsync(broken, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN", fixture.ServerLog);
    }

    [Fact]
    public async Task Schema2ManifestIsValidatedLikeAnOciOne()
    {
        var name = _registry.Repo("docker/invalid");
        var manifest = await PushSchema2ImageAsync(name, seed: 4, "amd64");

        // Its mediaType says Docker: sending it as OCI is a contradiction.
        using (var mislabelled = await _client.PutManifestAsync(name, "v1", manifest, MediaTypes.OciManifest))
        {
            await OciAssert.ErrorAsync(mislabelled, HttpStatusCode.BadRequest, "MANIFEST_INVALID", fixture.ServerLog);
        }

        var missingLayer = Schema2Manifest((Sha256(Encoding.UTF8.GetBytes("{}")), 2), (ImageContent.DigestOf(ImageContent.RandomBlob(32)), 32));
        using (var missing = await _client.PutManifestAsync(name, "v2", missingLayer, MediaTypes.DockerManifest))
        {
            await OciAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        }

        using var none = await _client.GetManifestAsync(name, "v1");
        await OciAssert.StatusAsync(none, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SkopeoPushesAsSchema2AndPullsItBack()
    {
        var image = fixture.BuildImage(seed: 301, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(_registry.Image("skopeo/v2s2", "v1"));
        (await _skopeo.RunAsync("copy", "--format", "v2s2", "--dest-tls-verify=false", "--dest-creds", _registry.Creds,
            image.OciReference, remote)).EnsureSuccess();

        // What is stored is a Docker schema 2 manifest over the same config and layer blobs.
        var raw = (await _skopeo.InspectRawAsync(remote, _registry.Creds)).EnsureSuccess().Stdout.TrimEnd('\n');
        string manifestDigest;
        using (var document = JsonDocument.Parse(raw))
        {
            var root = document.RootElement;
            Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(MediaTypes.DockerManifest, root.GetProperty("mediaType").GetString());
            Assert.Equal(DockerConfig, root.GetProperty("config").GetProperty("mediaType").GetString());
            Assert.Equal(image.ConfigDigest, root.GetProperty("config").GetProperty("digest").GetString());
            var layers = root.GetProperty("layers").EnumerateArray().ToList();
            Assert.Equal(image.Layers.Select(l => l.Digest), layers.Select(l => l.GetProperty("digest").GetString()));
            Assert.All(layers, l => Assert.Equal(DockerLayer, l.GetProperty("mediaType").GetString()));
            manifestDigest = Sha256(Encoding.UTF8.GetBytes(raw));
        }

        Assert.NotEqual(image.ManifestDigest, manifestDigest);
        Assert.Equal(manifestDigest, await _skopeo.InspectDigestAsync(remote, _registry.Creds));
        await AssertServedAsync(_registry.Repo("skopeo/v2s2"), ["v1", manifestDigest], Encoding.UTF8.GetBytes(raw), MediaTypes.DockerManifest);

        // Pull it back as it is (dir: keeps the manifest and blobs untouched) and compare every byte.
        var pulled = fixture.NewDir("pulled-v2s2");
        (await _skopeo.RunAsync("copy", "--preserve-digests", "--src-tls-verify=false", "--src-creds", _registry.Creds, remote, "dir:" + pulled))
            .EnsureSuccess();
        Assert.Equal(raw, File.ReadAllText(Path.Combine(pulled, "manifest.json")).TrimEnd('\n'));
        foreach (var (digest, size) in image.Blobs)
        {
            var file = Path.Combine(pulled, digest["sha256:".Length..]);
            Assert.True(File.Exists(file), $"blob {digest} was not pulled");
            Assert.Equal(size, new FileInfo(file).Length);
            Assert.True(image.ReadBlob(digest).AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"blob {digest} differs after the round trip");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>Pushes a gzip layer and a Docker image config; returns the v2s2 manifest over them (not pushed).</summary>
    private async Task<byte[]> PushSchema2ImageAsync(string name, int seed, string architecture)
    {
        var (layer, diffId) = OciImageBuilder.CreateLayer(seed, 0, files: 2, fileSize: 4096);
        var layerDigest = await _client.PushBlobAsync(name, layer);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
        }.ToJsonString());
        var configDigest = await _client.PushBlobAsync(name, config);
        return Schema2Manifest((configDigest, config.Length), (layerDigest, layer.Length));
    }

    private static byte[] Schema2Manifest((string Digest, long Size) config, params (string Digest, long Size)[] layers) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.DockerManifest,
            ["config"] = OciImageBuilder.Descriptor(DockerConfig, config.Digest, config.Size),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)OciImageBuilder.Descriptor(DockerLayer, l.Digest, l.Size)).ToArray()),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static byte[] ManifestList(params (byte[] Manifest, string Architecture)[] manifests) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.DockerManifestList,
            ["manifests"] = new JsonArray(manifests.Select(m =>
            {
                var descriptor = OciImageBuilder.Descriptor(MediaTypes.DockerManifest, Sha256(m.Manifest), m.Manifest.LongLength);
                descriptor["platform"] = new JsonObject { ["architecture"] = m.Architecture, ["os"] = "linux" };
                return (JsonNode)descriptor;
            }).ToArray()),
        }.ToJsonString());

    /// <summary>GET and HEAD of each reference: the pushed bytes, their media type, digest and length.</summary>
    private async Task AssertServedAsync(string name, string[] references, byte[] manifest, string mediaType)
    {
        foreach (var reference in references)
        {
            using var get = await _client.GetManifestAsync(name, reference);
            await OciAssert.StatusAsync(get, HttpStatusCode.OK, $"GET {reference}" + fixture.ServerLog);
            Assert.Equal(mediaType, OciAssert.Header(get, "Content-Type"));
            Assert.Equal(Sha256(manifest), OciAssert.Header(get, "Docker-Content-Digest"));
            Assert.Equal(manifest.LongLength, get.Content.Headers.ContentLength);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());

            using var head = await _client.HeadManifestAsync(name, reference);
            await OciAssert.StatusAsync(head, HttpStatusCode.OK, $"HEAD {reference}");
            Assert.Equal(mediaType, OciAssert.Header(head, "Content-Type"));
            Assert.Equal(Sha256(manifest), OciAssert.Header(head, "Docker-Content-Digest"));
            Assert.Equal(manifest.LongLength, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    private static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
