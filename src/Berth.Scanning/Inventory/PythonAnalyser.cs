using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>Installed Python distributions: *.dist-info/METADATA (wheels) and *.egg-info/PKG-INFO (setuptools), both with Name/Version headers.</summary>
internal sealed class PythonAnalyser : IFileAnalyser
{
    public bool Wants(LayerFile file) =>
        (file.Path.EndsWith("/METADATA", StringComparison.Ordinal) && Parent(file.Path).EndsWith(".dist-info", StringComparison.Ordinal))
        || (file.Path.EndsWith("/PKG-INFO", StringComparison.Ordinal) && Parent(file.Path).EndsWith(".egg-info", StringComparison.Ordinal));

    public FileFinding? Analyse(string path, byte[] content)
    {
        string? name = null, version = null;
        foreach (var raw in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            // The headers end at the first blank line; the long description follows.
            if (line.Length == 0)
            {
                break;
            }

            if (line.StartsWith("Name:", StringComparison.Ordinal))
            {
                name ??= line[5..].Trim();
            }
            else if (line.StartsWith("Version:", StringComparison.Ordinal))
            {
                version ??= line[8..].Trim();
            }
        }
        return name is null || version is null ? null : FileFinding.ForPackages([new Package("PyPI", name, version, null, null, path)]);
    }

    private static string Parent(string path) => path[..path.LastIndexOf('/')];
}
