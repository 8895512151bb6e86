using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>Alpine's lib/apk/db/installed: blank-line separated records of one-letter fields (P name, V version, o origin).</summary>
internal sealed class ApkAnalyser : IFileAnalyser
{
    private const string InstalledFile = "lib/apk/db/installed";

    public bool Wants(LayerFile file) => file.Path == InstalledFile;

    public FileFinding? Analyse(string path, byte[] content)
    {
        var packages = new List<Package>();
        string? name = null, version = null, origin = null;
        foreach (var raw in Encoding.UTF8.GetString(content).Split('\n').Append(""))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (name is not null && version is not null)
                {
                    packages.Add(new Package("Alpine", name, version, null, origin ?? name, path));
                }

                name = version = origin = null;
            }
            else if (line.StartsWith("P:", StringComparison.Ordinal))
            {
                name = line[2..];
            }
            else if (line.StartsWith("V:", StringComparison.Ordinal))
            {
                version = line[2..];
            }
            else if (line.StartsWith("o:", StringComparison.Ordinal))
            {
                origin = line[2..];
            }
        }
        return FileFinding.ForOsPackages(packages);
    }
}
