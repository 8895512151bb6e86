using System.Globalization;
using System.Text.Json;

namespace Berth.Scanning.Advisories;

/// <summary>
/// Reads OSV JSON: one advisory document or a JSON array of them. Unknown fields are ignored and fields of an
/// unexpected JSON type are treated as absent, since databases extend the schema freely; only a missing id, package
/// ecosystem/name or a non-object document is an error.
/// </summary>
public static class OsvParser
{
    public static IReadOnlyList<OsvAdvisory> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json, Options);
        return Read(doc.RootElement);
    }

    public static async Task<IReadOnlyList<OsvAdvisory>> ParseAsync(Stream utf8Json, CancellationToken cancellationToken = default)
    {
        using var doc = await JsonDocument.ParseAsync(utf8Json, Options, cancellationToken);
        return Read(doc.RootElement);
    }

    /// <summary>One advisory from an already parsed element (an import reads documents one by one to keep each one's JSON).</summary>
    public static OsvAdvisory ParseElement(JsonElement element) => ReadAdvisory(element);

    internal static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static List<OsvAdvisory> Read(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Array => [.. root.EnumerateArray().Select(ReadAdvisory)],
        JsonValueKind.Object => [ReadAdvisory(root)],
        _ => throw new FormatException("An OSV document must be a JSON object or an array of objects."),
    };

    private static OsvAdvisory ReadAdvisory(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("An OSV document must be a JSON object.");
        }

        var id = String(e, "id") ?? throw new FormatException("An OSV document has no id.");
        return new OsvAdvisory
        {
            Id = id,
            Aliases = Strings(e, "aliases"),
            Upstream = Strings(e, "upstream"),
            Summary = String(e, "summary"),
            Details = String(e, "details"),
            Severity = Severities(e),
            Affected = Array(e, "affected").Select(a => ReadAffected(id, a)).ToList(),
            Published = Time(e, "published"),
            Modified = Time(e, "modified"),
            Withdrawn = Time(e, "withdrawn"),
            DatabaseSpecific = Object(e, "database_specific"),
        };
    }

    private static OsvAffected ReadAffected(string id, JsonElement e)
    {
        OsvPackage? package = null;
        if (Object(e, "package") is { } p)
        {
            package = new OsvPackage(
                String(p, "ecosystem") ?? throw new FormatException($"{id}: affected package has no ecosystem."),
                String(p, "name") ?? throw new FormatException($"{id}: affected package has no name."),
                String(p, "purl"));
        }

        return new OsvAffected
        {
            Package = package,
            Severity = Severities(e),
            Ranges = Array(e, "ranges").Select(r => new OsvRange(
                String(r, "type") ?? "",
                Array(r, "events").Select(ev => new OsvEvent(
                    String(ev, "introduced"), String(ev, "fixed"), String(ev, "last_affected"), String(ev, "limit"))).ToList())).ToList(),
            Versions = Strings(e, "versions"),
            EcosystemSpecific = Object(e, "ecosystem_specific"),
            DatabaseSpecific = Object(e, "database_specific"),
        };
    }

    private static List<OsvSeverity> Severities(JsonElement e) =>
        [.. Array(e, "severity")
            .Select(s => (Type: String(s, "type"), Score: String(s, "score")))
            .Where(s => s.Type is not null && s.Score is not null)
            .Select(s => new OsvSeverity(s.Type!, s.Score!))];

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object)
            : [];

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // Cloned so the element outlives the JsonDocument it came from.
    private static JsonElement? Object(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v.Clone() : null;

    // OSV timestamps are RFC 3339 in UTC; an unparsable one is treated as absent.
    private static DateTimeOffset? Time(JsonElement e, string name) =>
        String(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
