namespace Berth.Cli;

/// <summary>
/// Plain-text table with aligned columns, in the style of <c>docker ps</c> / <c>kubectl get</c>:
/// upper-case headers, columns separated by three spaces, no trailing whitespace.
/// </summary>
public sealed class TableWriter
{
    private const string Separator = "   ";

    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <param name="headers">Column headers; a header ending in '>' (e.g. "SIZE>") is right-aligned, the '>' is dropped.</param>
    public TableWriter(params string[] headers)
    {
        _rightAligned = headers.Select(h => h.EndsWith('>')).ToArray();
        _headers = headers.Select(h => h.TrimEnd('>')).ToArray();
    }

    public int RowCount => _rows.Count;

    public TableWriter AddRow(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells.Select(c => c ?? "").ToArray());
        return this;
    }

    public void Write(TextWriter writer)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in _rows.Prepend(_headers))
        {
            var line = string.Join(
                Separator,
                row.Select((cell, i) => _rightAligned[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])));
            writer.WriteLine(line.TrimEnd());
        }
    }

    public override string ToString()
    {
        using var writer = new StringWriter();
        Write(writer);
        return writer.ToString();
    }
}
