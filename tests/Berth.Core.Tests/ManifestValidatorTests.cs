using System.Text;
using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class ManifestValidatorTests
{
    private const string OciImageConfig = "application/vnd.oci.image.config.v1+json";
    private const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    private const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    private const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private static readonly Digest ConfigDigest = Digest.Compute("config"u8);
    private static readonly Digest Layer1 = Digest.Compute("layer1"u8);
    private static readonly Digest Layer2 = Digest.Compute("layer2"u8);
    private static readonly Digest SubjectDigest = Digest.Compute("subject"u8);

    [Fact]
    public void OciImageManifestReferencesConfigAndLayers()
    {
        var json = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciManifest}}",
              "config": {{Descriptor(OciImageConfig, ConfigDigest, 7023)}},
              "layers": [{{Descriptor(OciLayer, Layer1, 32654)}}, {{Descriptor(OciLayer, Layer2, 16724)}}],
              "annotations": { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" }
            }
            """;

        var manifest = Parse(json, MediaTypes.OciManifest);

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(OciImageConfig, manifest.ArtifactType);
        Assert.Null(manifest.Subject);
        Assert.Equal(ConfigDigest, manifest.Config!.Digest);
        Assert.Equal(7023, manifest.Config.Size);
        Assert.Equal([ConfigDigest, Layer1, Layer2], manifest.References.Select(r => r.Descriptor.Digest));
        Assert.All(manifest.References, r => Assert.Equal(ReferenceKind.Blob, r.Kind));
        Assert.Equal([7023L, 32654L, 16724L], manifest.References.Select(r => r.Descriptor.Size));
        Assert.Equal("2024-01-01T00:00:00Z", manifest.Annotations!["org.opencontainers.image.created"]);
    }

    [Fact]
    public void DockerSchema2ManifestIsAccepted()
    {
        var json = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.DockerManifest}}",
              "config": {{Descriptor(DockerConfig, ConfigDigest, 1469)}},
              "layers": [{{Descriptor(DockerLayer, Layer1, 2818413)}}]
            }
            """;

        var manifest = Parse(json, MediaTypes.DockerManifest);

        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Null(manifest.ArtifactType);
        Assert.Equal([ConfigDigest, Layer1], manifest.References.Select(r => r.Descriptor.Digest));
    }

    [Fact]
    public void OciIndexReferencesManifestsWithPlatforms()
    {
        var json = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciIndex}}",
              "manifests": [
                {
                  "mediaType": "{{MediaTypes.OciManifest}}", "digest": "{{Layer1}}", "size": 100,
                  "platform": { "os": "linux", "architecture": "arm64", "variant": "v8" }
                },
                {
                  "mediaType": "{{MediaTypes.OciManifest}}", "digest": "{{Layer2}}", "size": 200,
                  "platform": { "os": "linux", "architecture": "amd64" }
                }
              ]
            }
            """;

        var index = Parse(json, MediaTypes.OciIndex);

        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Null(index.Config);
        Assert.Equal([Layer1, Layer2], index.References.Select(r => r.Descriptor.Digest));
        Assert.All(index.References, r => Assert.Equal(ReferenceKind.Manifest, r.Kind));
        Assert.Equal(new Platform("linux", "arm64", "v8"), index.References[0].Descriptor.Platform);
        Assert.Equal(new Platform("linux", "amd64", null), index.References[1].Descriptor.Platform);
    }

    [Fact]
    public void DockerManifestListIsAnIndex()
    {
        var json = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.DockerManifestList}}",
              "manifests": [{{Descriptor(MediaTypes.DockerManifest, Layer1, 528)}}]
            }
            """;

        var list = Parse(json, MediaTypes.DockerManifestList);

        Assert.Equal(MediaTypes.DockerManifestList, list.MediaType);
        Assert.Equal(ReferenceKind.Manifest, Assert.Single(list.References).Kind);
    }

    [Fact]
    public void ArtifactWithArtifactTypeAndSubject()
    {
        var empty = Digest.Compute("{}"u8);
        var json = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciManifest}}",
              "artifactType": "application/vnd.example.sbom+json",
              "config": {{Descriptor(MediaTypes.OciEmpty, empty, 2)}},
              "layers": [{{Descriptor("application/spdx+json", Layer1, 1234)}}],
              "subject": {{Descriptor(MediaTypes.OciManifest, SubjectDigest, 512)}}
            }
            """;

        var artifact = Parse(json, MediaTypes.OciManifest);

        Assert.Equal("application/vnd.example.sbom+json", artifact.ArtifactType);
        Assert.Equal(SubjectDigest, artifact.Subject!.Digest);
        Assert.Equal(MediaTypes.OciManifest, artifact.Subject.MediaType);
        Assert.Equal(512, artifact.Subject.Size);
        Assert.Equal([empty, Layer1], artifact.References.Select(r => r.Descriptor.Digest));
    }

    [Fact]
    public void ArtifactTypeIsInferredFromANonImageConfig()
    {
        var json = Manifest(config: Descriptor("application/vnd.example.config.v1+json", ConfigDigest, 10));

        Assert.Equal("application/vnd.example.config.v1+json", Parse(json, MediaTypes.OciManifest).ArtifactType);
    }

    /// <summary>
    /// Distribution spec 1.1: "if the artifactType is empty or missing in the image manifest, the value of artifactType
    /// MUST be set to the config descriptor mediaType value", whatever that type is.
    /// </summary>
    [Theory]
    [InlineData(OciImageConfig, null)]
    [InlineData(OciImageConfig, "")]
    [InlineData(MediaTypes.OciEmpty, null)]
    [InlineData(MediaTypes.OciEmpty, "")]
    public void MissingOrEmptyArtifactTypeIsTheConfigMediaType(string configMediaType, string? artifactType)
    {
        var json = Manifest(config: Descriptor(configMediaType, ConfigDigest, 10));
        if (artifactType is not null)
        {
            json = json.Replace("\"schemaVersion\": 2,", $"\"schemaVersion\": 2, \"artifactType\": \"{artifactType}\",", StringComparison.Ordinal);
        }

        Assert.Equal(configMediaType, Parse(json, MediaTypes.OciManifest).ArtifactType);
    }

    [Fact]
    public void DockerManifestHasNoArtifactType()
    {
        var json = Manifest(MediaTypes.DockerManifest, Descriptor(DockerConfig, ConfigDigest, 10), [Descriptor(DockerLayer, Layer1, 20)]);

        Assert.Null(Parse(json, MediaTypes.DockerManifest).ArtifactType);
    }

    [Fact]
    public void MediaTypeMismatchWithContentTypeIsInvalid()
    {
        AssertInvalid(Manifest(), MediaTypes.OciIndex);
        AssertInvalid(Manifest(), MediaTypes.DockerManifest);
    }

    [Fact]
    public void ContentTypeParametersAndCaseAreIgnored()
    {
        var manifest = Parse(Manifest(), "Application/VND.oci.image.manifest.v1+json; charset=utf-8");

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
    }

    [Fact]
    public void NonManifestContentTypeDefersToTheMediaTypeField()
    {
        Assert.Equal(MediaTypes.OciManifest, Parse(Manifest(), "application/json").MediaType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"schemaVersion\": 2,")]
    [InlineData("[]")]
    [InlineData("\"manifest\"")]
    [InlineData("null")]
    public void NonObjectsAreInvalid(string content)
    {
        AssertInvalid(content, MediaTypes.OciManifest);
    }

    [Fact]
    public void InvalidUtf8IsInvalid()
    {
        var bytes = Encoding.UTF8.GetBytes(Manifest()).ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'{') + 1, [(byte)' ', 0xFF, 0xFE]);

        var ex = Assert.Throws<OciException>(() => ManifestValidator.Parse(bytes.ToArray(), MediaTypes.OciManifest));
        Assert.Equal(OciErrorCode.ManifestInvalid, ex.Error);
    }

    /// <summary>Invalid UTF-8 inside a string: in a field the registry reads, and in one it never reads (JSON text is UTF-8).</summary>
    [Theory]
    [InlineData(OciLayer)]
    [InlineData("org.example.unknown")]
    [InlineData("2024-01-01T00:00:00Z")]
    public void InvalidUtf8InsideAStringIsInvalid(string replaced)
    {
        var json = Manifest(layers: [Descriptor(OciLayer, Layer1, 20)])
            .Replace("\"layers\"", "\"org.example.unknown\": \"x\", \"annotations\": {\"created\": \"2024-01-01T00:00:00Z\"}, \"layers\"", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json).ToList();
        var at = Encoding.UTF8.GetString(bytes.ToArray()).IndexOf(replaced, StringComparison.Ordinal);
        Assert.True(at > 0);
        bytes.InsertRange(at + 1, [0xC3, 0x28]);

        var ex = Assert.Throws<OciException>(() => ManifestValidator.Parse(bytes.ToArray(), MediaTypes.OciManifest));
        Assert.Equal(OciErrorCode.ManifestInvalid, ex.Error);
    }

    [Fact]
    public void LoneSurrogateEscapeIsInvalid()
    {
        var json = Manifest().Replace("\"layers\"", "\"annotations\": {\"note\": \"\\ud800\"}, \"layers\"", StringComparison.Ordinal);

        AssertInvalid(json, MediaTypes.OciManifest);
    }

    /// <summary>A member given twice: clients differ on which one counts, so the manifest is ambiguous and refused.</summary>
    [Theory]
    [InlineData("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"schemaVersion\": 2,")]
    [InlineData("\"layers\"", "\"layers\": [], \"layers\"")]
    [InlineData("\"layers\"", "\"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\", \"size\": 0}, \"layers\"")]
    [InlineData("\"layers\"", "\"\\u0063onfig\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\", \"size\": 0}, \"layers\"")]
    [InlineData("\"size\": 20", "\"size\": 20, \"size\": 21")]
    [InlineData("\"layers\"", "\"annotations\": {\"a\": \"1\", \"a\": \"2\"}, \"layers\"")]
    public void DuplicateKeysAreInvalid(string find, string replace)
    {
        var json = Manifest();
        Assert.Contains(find, json, StringComparison.Ordinal);

        AssertInvalid(json.Replace(find, replace, StringComparison.Ordinal), MediaTypes.OciManifest);
    }

    /// <summary>A manifest stored before duplicate keys were refused stays readable (listings, scans, deletes).</summary>
    [Fact]
    public void StoredManifestWithDuplicateKeysIsStillRead()
    {
        var json = Manifest().Replace("\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"schemaVersion\": 2,", StringComparison.Ordinal);

        var manifest = ManifestValidator.ParseStored(Encoding.UTF8.GetBytes(json), MediaTypes.OciManifest);

        Assert.Equal([ConfigDigest, Layer1], manifest.References.Select(r => r.Descriptor.Digest));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("\"2\"")]
    [InlineData("2.5")]
    [InlineData("null")]
    public void SchemaVersionMustBe2(string schemaVersion)
    {
        AssertInvalid(Manifest().Replace("\"schemaVersion\": 2", $"\"schemaVersion\": {schemaVersion}", StringComparison.Ordinal),
            MediaTypes.OciManifest);
    }

    [Fact]
    public void MissingSchemaVersionIsInvalid()
    {
        AssertInvalid(Manifest().Replace("\"schemaVersion\": 2,", "", StringComparison.Ordinal), MediaTypes.OciManifest);
    }

    [Fact]
    public void MissingConfigIsInvalid()
    {
        var json = $$"""
            { "schemaVersion": 2, "mediaType": "{{MediaTypes.OciManifest}}", "layers": [] }
            """;

        AssertInvalid(json, MediaTypes.OciManifest);
    }

    [Fact]
    public void MissingLayersIsInvalid()
    {
        var json = $$"""
            { "schemaVersion": 2, "mediaType": "{{MediaTypes.OciManifest}}", "config": {{Descriptor(OciImageConfig, ConfigDigest, 1)}} }
            """;

        AssertInvalid(json, MediaTypes.OciManifest);
    }

    [Fact]
    public void IndexWithoutManifestsIsInvalid()
    {
        AssertInvalid($$"""{ "schemaVersion": 2, "mediaType": "{{MediaTypes.OciIndex}}" }""", MediaTypes.OciIndex);
    }

    [Theory]
    [InlineData("sha256:ABC")]
    [InlineData("sha256:1234")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("")]
    public void BadLayerDigestIsInvalid(string digest)
    {
        var layer = $$"""{ "mediaType": "{{OciLayer}}", "digest": "{{digest}}", "size": 1 }""";

        AssertInvalid(Manifest(layers: [layer]), MediaTypes.OciManifest);
    }

    [Fact]
    public void UppercaseLayerDigestIsInvalid()
    {
        var layer = Descriptor(OciLayer, Layer1, 1).Replace(Layer1.Encoded, Layer1.Encoded.ToUpperInvariant(), StringComparison.Ordinal);

        AssertInvalid(Manifest(layers: [layer]), MediaTypes.OciManifest);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"10\"")]
    [InlineData("null")]
    public void BadSizeIsInvalid(string size)
    {
        var layer = $$"""{ "mediaType": "{{OciLayer}}", "digest": "{{Layer1}}", "size": {{size}} }""";

        AssertInvalid(Manifest(layers: [layer]), MediaTypes.OciManifest);
    }

    [Fact]
    public void DescriptorWithoutMediaTypeIsInvalid()
    {
        AssertInvalid(Manifest(layers: [$$"""{ "digest": "{{Layer1}}", "size": 1 }"""]), MediaTypes.OciManifest);
    }

    [Fact]
    public void NonStringAnnotationIsInvalid()
    {
        var json = Manifest().Replace("\"layers\"", "\"annotations\": { \"n\": 1 }, \"layers\"", StringComparison.Ordinal);

        AssertInvalid(json, MediaTypes.OciManifest);
    }

    [Fact]
    public void ForeignLayersAreNotReferences()
    {
        var json = Manifest(
            mediaType: MediaTypes.DockerManifest,
            config: Descriptor(DockerConfig, ConfigDigest, 10),
            layers:
            [
                Descriptor(MediaTypes.DockerForeignLayer, Layer1, 100),
                Descriptor(MediaTypes.OciNonDistributablePrefix + "v1.tar+gzip", Layer2, 100),
                Descriptor(DockerLayer, SubjectDigest, 100),
            ]);

        var manifest = Parse(json, MediaTypes.DockerManifest);

        Assert.Equal([ConfigDigest, SubjectDigest], manifest.References.Select(r => r.Descriptor.Digest));
    }

    [Fact]
    public void OversizedManifestIsTooLarge()
    {
        var content = new byte[ManifestValidator.MaxManifestBytes + 1];

        var ex = Assert.Throws<OciException>(() => ManifestValidator.Parse(content, MediaTypes.OciManifest));

        Assert.Equal(OciErrorCode.ManifestTooLarge, ex.Error);
        Assert.Equal(413, ex.Error.Status);
    }

    [Fact]
    public void ManifestAtTheLimitIsAccepted()
    {
        var json = Manifest();
        var padded = json[..^1] + new string(' ', ManifestValidator.MaxManifestBytes - Encoding.UTF8.GetByteCount(json)) + "}";

        Assert.Equal(ManifestValidator.MaxManifestBytes, Encoding.UTF8.GetByteCount(padded));
        Assert.Equal(MediaTypes.OciManifest, Parse(padded, MediaTypes.OciManifest).MediaType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/octet-stream")]
    public void OmittedMediaTypeIsInferredFromShape(string? contentType)
    {
        var manifest = $$"""
            { "schemaVersion": 2, "config": {{Descriptor(OciImageConfig, ConfigDigest, 1)}}, "layers": [] }
            """;
        var index = $$"""
            { "schemaVersion": 2, "manifests": [{{Descriptor(MediaTypes.OciManifest, Layer1, 1)}}] }
            """;

        Assert.Equal(MediaTypes.OciManifest, Parse(manifest, contentType).MediaType);
        Assert.Equal(MediaTypes.OciIndex, Parse(index, contentType).MediaType);
    }

    [Fact]
    public void OmittedMediaTypeTakesTheContentType()
    {
        var json = $$"""
            { "schemaVersion": 2, "config": {{Descriptor(DockerConfig, ConfigDigest, 1)}}, "layers": [] }
            """;

        Assert.Equal(MediaTypes.DockerManifest, Parse(json, MediaTypes.DockerManifest).MediaType);
    }

    [Fact]
    public void ShapelessManifestWithoutMediaTypeIsInvalid()
    {
        AssertInvalid("""{ "schemaVersion": 2 }""", null);
    }

    [Theory]
    [InlineData("application/vnd.docker.distribution.manifest.v1+json")]
    [InlineData("application/json")]
    public void UnsupportedMediaTypeFieldIsInvalid(string mediaType)
    {
        AssertInvalid(Manifest(mediaType: mediaType), null);
    }

    private static ParsedManifest Parse(string json, string? contentType) =>
        ManifestValidator.Parse(Encoding.UTF8.GetBytes(json), contentType);

    private static void AssertInvalid(string json, string? contentType)
    {
        var ex = Assert.Throws<OciException>(() => Parse(json, contentType));
        Assert.Equal(OciErrorCode.ManifestInvalid, ex.Error);
        Assert.Equal("MANIFEST_INVALID", ex.Error.Code);
    }

    private static string Descriptor(string mediaType, Digest digest, long size) =>
        $$"""{ "mediaType": "{{mediaType}}", "digest": "{{digest}}", "size": {{size}} }""";

    private static string Manifest(string mediaType = MediaTypes.OciManifest, string? config = null, string[]? layers = null) =>
        $$"""
        {
          "schemaVersion": 2,
          "mediaType": "{{mediaType}}",
          "config": {{config ?? Descriptor(OciImageConfig, ConfigDigest, 10)}},
          "layers": [{{string.Join(", ", layers ?? [Descriptor(OciLayer, Layer1, 20)])}}]
        }
        """;
}
