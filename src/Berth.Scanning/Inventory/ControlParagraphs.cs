namespace Berth.Scanning.Inventory;

/// <summary>RFC 822-style paragraphs as dpkg writes them: "Field: value", continuation lines indented, blank line between records.</summary>
internal static class ControlParagraphs
{
    public static IEnumerable<Dictionary<string, string>> Parse(string text)
    {
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (current.Count > 0)
                {
                    yield return current;
                }

                current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                continue;
            }
            // Continuation lines (descriptions, conffiles) never hold the fields we read.
            if (line[0] is ' ' or '\t')
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                current[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }
        if (current.Count > 0)
        {
            yield return current;
        }
    }
}
