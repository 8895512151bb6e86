using System.Text.Encodings.Web;
using System.Text.Json;

namespace Berth.Cli;

/// <summary>Where a command writes: the server's JSON (<c>--json</c>) or human-readable text.</summary>
public sealed class Output(bool json, TextWriter stdout, TextWriter stderr)
{
    private static readonly JsonWriterOptions PrettyJson = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep non-ASCII readable; this is not HTML
    };

    public bool Json { get; } = json;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>With <c>--json</c>, prints the response's JSON unchanged; otherwise calls <paramref name="renderText"/>.</summary>
    public void Render<T>(ApiResponse<T> response, Action<T> renderText)
    {
        if (Json)
        {
            WriteJson(response.Json);
        }
        else
        {
            renderText(response.Value);
        }
    }

    public void WriteJson(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, PrettyJson))
        {
            element.WriteTo(writer);
        }

        Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public void WriteTable(TableWriter table) => table.Write(Out);

    /// <summary>Aligned "Label:  value" lines.</summary>
    public void WriteFields(params (string Label, string Value)[] fields)
    {
        var width = fields.Max(f => f.Label.Length) + 1;
        foreach (var (label, value) in fields)
        {
            Out.WriteLine($"{(label + ":").PadRight(width)}  {value}");
        }
    }
}
