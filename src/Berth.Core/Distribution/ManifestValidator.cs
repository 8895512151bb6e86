using System.Text.Json;
using System.Text.Unicode;

namespace Berth.Core.Distribution;

/// <summary>
/// Parses and validates image manifests, image indexes and artifacts (OCI 1.1 and Docker schema 2) without
/// touching storage. Errors are MANIFEST_INVALID with a reason a user can act on.
/// </summary>
public static class ManifestValidator
{
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Validates a manifest being pushed. JSON text must be UTF-8 (RFC 8259 §8.1), and a member name may appear only
    /// once per object: with duplicates, clients disagree on which value counts (first or last), so the registry
    /// and a client could see different layers or subjects in the same digest.
    /// </summary>
    public static ParsedManifest Parse(ReadOnlySpan<byte> content, string? contentType)
    {
        if (content.Length > MaxManifestBytes)
        {
            throw new OciException(OciErrorCode.ManifestTooLarge, $"manifest is {content.Length} bytes; the limit is {MaxManifestBytes}");
        }

        if (!Utf8.IsValid(content))
        {
            throw Invalid("manifest is not valid UTF-8");
        }

        return Parse(content, contentType, allowDuplicateProperties: false);
    }

    /// <summary>
    /// Parses a manifest the registry already holds (it passed <see cref="Parse(ReadOnlySpan{byte}, string?)"/> when it was
    /// pushed). Duplicate member names are tolerated here, as they were at push before they were refused, so a manifest
    /// stored back then can still be listed, scanned and deleted.
    /// </summary>
    public static ParsedManifest ParseStored(ReadOnlySpan<byte> content, string mediaType) =>
        Parse(content, mediaType, allowDuplicateProperties: true);

    private static ParsedManifest Parse(ReadOnlySpan<byte> content, string? contentType, bool allowDuplicateProperties)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(content.ToArray(), new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = allowDuplicateProperties });
        }
        catch (JsonException ex)
        {
            throw Invalid($"manifest is not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            try
            {
                return Parse(doc.RootElement, contentType);
            }
            catch (InvalidOperationException)
            {
                // A string escape that is not valid UTF-16 (a lone surrogate such as "\ud800") fails only when read.
                throw Invalid("manifest has a string that is not valid Unicode");
            }
        }
    }

    private static ParsedManifest Parse(JsonElement root, string? contentType)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("manifest must be a JSON object");
        }

        if (!root.TryGetProperty("schemaVersion", out var sv) || sv.ValueKind != JsonValueKind.Number || !sv.TryGetInt32(out var version) || version != 2)
        {
            throw Invalid("schemaVersion must be 2");
        }

        var mediaType = ResolveMediaType(root, contentType);
        var artifactType = OptionalString(root, "artifactType");
        var subject = root.TryGetProperty("subject", out var subjectElement) && subjectElement.ValueKind != JsonValueKind.Null
            ? ParseDescriptor(subjectElement, "subject")
            : null;
        var annotations = ParseAnnotations(root, "annotations");
        var references = new List<ManifestReference>();
        Descriptor? config = null;

        if (MediaTypes.IsIndex(mediaType))
        {
            foreach (var item in RequiredArray(root, "manifests"))
            {
                references.Add(new ManifestReference(ParseDescriptor(item, "manifests[]"), ReferenceKind.Manifest));
            }
        }
        else
        {
            if (!root.TryGetProperty("config", out var configElement))
            {
                throw Invalid("image manifest has no config descriptor");
            }

            config = ParseDescriptor(configElement, "config");
            references.Add(new ManifestReference(config, ReferenceKind.Blob));
            foreach (var item in RequiredArray(root, "layers"))
            {
                var layer = ParseDescriptor(item, "layers[]");
                // Foreign layers live elsewhere (their "urls"); the registry is not expected to hold them.
                if (!MediaTypes.IsNonDistributable(layer.MediaType))
                {
                    references.Add(new ManifestReference(layer, ReferenceKind.Blob));
                }
            }

            // Distribution spec 1.1 (referrers): "if the artifactType is empty or missing in the image manifest, the value
            // of artifactType MUST be set to the config descriptor mediaType value", an image config's type included.
            if (string.IsNullOrEmpty(artifactType) && mediaType == MediaTypes.OciManifest)
            {
                artifactType = config.MediaType;
            }
        }

        return new ParsedManifest(mediaType, artifactType, subject, config, references, annotations);
    }

    private static string ResolveMediaType(JsonElement root, string? contentType)
    {
        var field = OptionalString(root, "mediaType");
        var header = NormalizeContentType(contentType);
        if (field is not null && header is not null && MediaTypes.IsManifest(header) && field != header)
        {
            throw Invalid($"mediaType '{field}' does not match Content-Type '{header}'");
        }

        var mediaType = field ?? (header is not null && MediaTypes.IsManifest(header) ? header : null);
        if (mediaType is null)
        {
            // OCI allows mediaType to be omitted; infer from the shape.
            mediaType = root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex
                : root.TryGetProperty("config", out _) ? MediaTypes.OciManifest
                : throw Invalid("cannot determine the manifest's media type");
        }

        if (!MediaTypes.IsManifest(mediaType))
        {
            throw Invalid($"unsupported manifest media type '{mediaType}'");
        }

        return mediaType;
    }

    public static string? NormalizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static Descriptor ParseDescriptor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{where} must be a descriptor object");
        }

        var mediaType = OptionalString(element, "mediaType") ?? throw Invalid($"{where} has no mediaType");
        var digestText = OptionalString(element, "digest") ?? throw Invalid($"{where} has no digest");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw Invalid($"{where} has an invalid digest '{digestText}'");
        }

        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number ||
            !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw Invalid($"{where} {digestText} has no valid size");
        }

        Platform? platform = null;
        if (element.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            platform = new Platform(OptionalString(p, "os") ?? "", OptionalString(p, "architecture") ?? "", OptionalString(p, "variant"));
        }

        return new Descriptor(mediaType, digest, size, OptionalString(element, "artifactType"), ParseAnnotations(element, "annotations"), platform);
    }

    private static Dictionary<string, string>? ParseAnnotations(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var a) || a.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (a.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{name} must be an object of strings");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in a.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"annotation '{property.Name}' must be a string");
            }

            result[property.Name] = property.Value.GetString()!;
        }

        return result;
    }

    private static JsonElement.ArrayEnumerator RequiredArray(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"manifest has no '{name}' array");
        }

        return array.EnumerateArray();
    }

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"'{name}' must be a string");
    }

    private static OciException Invalid(string message) => new(OciErrorCode.ManifestInvalid, message);
}
