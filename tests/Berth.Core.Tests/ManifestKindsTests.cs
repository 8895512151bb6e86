using System.Text;
using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class ManifestKindsTests
{
    private const string OciImageConfig = "application/vnd.oci.image.config.v1+json";
    private const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    private const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    private const string EmptyConfig = "application/vnd.oci.empty.v1+json";

    [Theory]
    [InlineData(OciImageConfig, OciLayer, null, ManifestKinds.Image)]
    [InlineData(DockerConfig, OciLayer, null, ManifestKinds.Image)]
    [InlineData(OciImageConfig, "application/vnd.dev.cosign.simplesigning.v1+json", null, ManifestKinds.Signature)]
    [InlineData(EmptyConfig, "application/json", "application/vnd.dev.sigstore.bundle.v0.3+json;signature", ManifestKinds.Signature)]
    [InlineData(EmptyConfig, "application/spdx+json", null, ManifestKinds.Sbom)]
    [InlineData(EmptyConfig, "application/json", "application/vnd.cyclonedx+json", ManifestKinds.Sbom)]
    [InlineData("application/vnd.example.config+json", OciLayer, null, ManifestKinds.Other)]
    public void ClassifiesImageManifestsByTheirMediaTypes(string configType, string layerType, string? artifactType, string expected)
    {
        var artifact = artifactType is null ? "" : $"\"artifactType\": \"{artifactType}\",";
        var manifest = Parse($$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciManifest}}",
              {{artifact}}
              "config": {{Descriptor(configType, "config")}},
              "layers": [{{Descriptor(layerType, "layer")}}]
            }
            """, MediaTypes.OciManifest);

        Assert.Equal(expected, ManifestKinds.Classify(manifest));
    }

    [Fact]
    public void AnIndexIsAnIndexWhateverItLists()
    {
        var manifest = Parse($$"""
            {
              "schemaVersion": 2,
              "mediaType": "{{MediaTypes.OciIndex}}",
              "manifests": [{{Descriptor(MediaTypes.OciManifest, "signature-of-something")}}]
            }
            """, MediaTypes.OciIndex);

        Assert.Equal(ManifestKinds.Index, ManifestKinds.Classify(manifest));
    }

    [Theory]
    [InlineData("linux", "amd64", null, "linux/amd64")]
    [InlineData("linux", "arm64", "v8", "linux/arm64/v8")]
    [InlineData("linux", "arm", "", "linux/arm")]
    [InlineData("unknown", "unknown", null, null)]
    [InlineData("", "amd64", null, null)]
    [InlineData("linux", "", null, null)]
    public void FormatsKnownPlatformsOnly(string os, string architecture, string? variant, string? expected) =>
        Assert.Equal(expected, ManifestKinds.FormatPlatform(new Platform(os, architecture, variant)));

    [Fact]
    public void NoPlatformFormatsAsNull() => Assert.Null(ManifestKinds.FormatPlatform(null));

    private static ParsedManifest Parse(string json, string mediaType) => ManifestValidator.Parse(Encoding.UTF8.GetBytes(json), mediaType);

    private static string Descriptor(string mediaType, string seed) =>
        $$"""{"mediaType": "{{mediaType}}", "digest": "{{Digest.Compute(Encoding.UTF8.GetBytes(seed))}}", "size": 10}""";
}
