using System.IO.Compression;
using System.Text.Json;

namespace Berth.Scanning.Advisories;

/// <summary>
/// Reads OSV documents in the forms operators have them: one JSON document, a JSON array of documents, or a zip
/// archive of such files (the layout osv.dev publishes per ecosystem, one advisory per <c>.json</c> entry). A document
/// that is not valid OSV is reported and skipped, so one bad file does not sink an archive of thousands.
/// </summary>
public static class OsvDocuments
{
    /// <summary>A JSON document or array. Throws <see cref="JsonException"/> when the input is not JSON at all.</summary>
    public static async Task<IReadOnlyList<OsvDocument>> ReadJsonAsync(Stream utf8Json, string location, ICollection<OsvReadError> errors, CancellationToken cancellationToken)
    {
        using var doc = await JsonDocument.ParseAsync(utf8Json, OsvParser.Options, cancellationToken);
        return Read(doc.RootElement, location, errors);
    }

    /// <summary>
    /// Every <c>.json</c> entry of a zip archive, lazily, one entry in memory at a time. The stream must be seekable
    /// (a zip's directory is at its end). Throws <see cref="InvalidDataException"/> when it is not a zip archive.
    /// </summary>
    public static IEnumerable<OsvDocument> ReadZip(Stream archive, ICollection<OsvReadError> errors)
    {
        using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in zip.Entries)
        {
            // Directories, and the non-JSON files archives carry (README, checksums), are not advisories.
            if (entry.FullName.EndsWith('/') || !entry.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            IReadOnlyList<OsvDocument> documents;
            try
            {
                using var stream = entry.Open();
                using var doc = JsonDocument.Parse(stream, OsvParser.Options);
                documents = Read(doc.RootElement, entry.FullName, errors);
            }
            catch (JsonException ex)
            {
                errors.Add(new OsvReadError(entry.FullName, "not valid JSON: " + ex.Message));
                continue;
            }
            foreach (var document in documents)
            {
                yield return document;
            }
        }
    }

    private static List<OsvDocument> Read(JsonElement root, string location, ICollection<OsvReadError> errors)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            var documents = new List<OsvDocument>(root.GetArrayLength());
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                if (TryRead(element, $"{location}[{index++}]", errors) is { } document)
                {
                    documents.Add(document);
                }
            }
            return documents;
        }
        return TryRead(root, location, errors) is { } single ? [single] : [];
    }

    private static OsvDocument? TryRead(JsonElement element, string location, ICollection<OsvReadError> errors)
    {
        try
        {
            return new OsvDocument(OsvParser.ParseElement(element), element.GetRawText());
        }
        catch (FormatException ex)
        {
            errors.Add(new OsvReadError(location, ex.Message));
            return null;
        }
    }
}
