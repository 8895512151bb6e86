namespace Berth.Core.Distribution;

/// <summary>
/// What a manifest is, as people see it: an <see cref="Image"/>, an <see cref="Index"/>, a <see cref="Signature"/>,
/// an <see cref="Sbom"/> or <see cref="Other"/>. The dashboard lists manifests by kind and the scanner scans only
/// images, so both decide through this one classification.
/// </summary>
public static class ManifestKinds
{
    public const string Image = "image";

    public const string Index = "index";

    public const string Signature = "signature";

    public const string Sbom = "sbom";

    public const string Other = "other";

    private static readonly string[] SignatureMarkers = ["cosign", "signature", "notary"];

    private static readonly string[] SbomMarkers = ["spdx", "cyclonedx", "sbom"];

    /// <summary>
    /// The kind of a manifest: an index; a signature or an SBOM when its artifact type, config or layer media types say
    /// so (cosign's classic signatures carry an image config and a "cosign" layer); an image when it has an image
    /// config; anything else is "other".
    /// </summary>
    public static string Classify(ParsedManifest parsed)
    {
        if (MediaTypes.IsIndex(parsed.MediaType))
        {
            return Index;
        }

        var types = parsed.References.Select(r => r.Descriptor.MediaType).Append(parsed.ArtifactType ?? "").ToList();
        if (types.Exists(t => SignatureMarkers.Any(m => t.Contains(m, StringComparison.OrdinalIgnoreCase))))
        {
            return Signature;
        }

        if (types.Exists(t => SbomMarkers.Any(m => t.Contains(m, StringComparison.OrdinalIgnoreCase))))
        {
            return Sbom;
        }

        return parsed.Config is { } config && IsImageConfig(config.MediaType) ? Image : Other;
    }

    /// <summary>An OCI or Docker image config (not an artifact's config).</summary>
    public static bool IsImageConfig(string mediaType) =>
        mediaType is "application/vnd.oci.image.config.v1+json" or "application/vnd.docker.container.image.v1+json";

    /// <summary>"os/arch[/variant]"; null when unknown (e.g. the "unknown/unknown" entries of build attestations).</summary>
    public static string? FormatPlatform(Platform? platform)
    {
        if (platform is null || platform.Os.Length == 0 || platform.Architecture.Length == 0 || platform.Os == "unknown")
        {
            return null;
        }

        return string.IsNullOrEmpty(platform.Variant)
            ? $"{platform.Os}/{platform.Architecture}"
            : $"{platform.Os}/{platform.Architecture}/{platform.Variant}";
    }
}
