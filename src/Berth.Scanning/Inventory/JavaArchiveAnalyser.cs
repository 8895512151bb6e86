using System.IO.Compression;
using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>
/// Java archives (.jar, .war, .ear): the Maven coordinates in META-INF/maven/*/*/pom.properties, including those of
/// archives nested one level deep (WEB-INF/lib, BOOT-INF/lib). Archives without Maven metadata are not identified.
/// </summary>
internal sealed class JavaArchiveAnalyser : IFileAnalyser
{
    private static readonly string[] Extensions = [".jar", ".war", ".ear"];

    public bool Wants(LayerFile file) => IsArchive(file.Path);

    public FileFinding? Analyse(string path, byte[] content)
    {
        var packages = new List<Package>();
        try
        {
            using var archive = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                if (IsPomProperties(entry.FullName))
                {
                    AddPom(entry, path, packages);
                }
                else if (IsArchive(entry.FullName) && entry.Length <= LayerReader.MaxFileSize)
                {
                    AddNested(entry, path, packages);
                }
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }
        return FileFinding.ForPackages(packages.Distinct().ToList());
    }

    private static void AddNested(ZipArchiveEntry entry, string path, List<Package> packages)
    {
        using var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        try
        {
            using var nested = new ZipArchive(buffer, ZipArchiveMode.Read);
            foreach (var inner in nested.Entries.Where(e => IsPomProperties(e.FullName)))
            {
                AddPom(inner, path, packages);
            }
        }
        catch (InvalidDataException)
        {
            // A corrupt nested archive hides only its own packages, not its siblings'.
        }
    }

    private static void AddPom(ZipArchiveEntry entry, string path, List<Package> packages)
    {
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && !line.StartsWith('#'))
            {
                properties[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }
        if (properties.TryGetValue("groupId", out var group) && properties.TryGetValue("artifactId", out var artifact)
            && properties.TryGetValue("version", out var version))
        {
            packages.Add(new Package("Maven", $"{group}:{artifact}", version, null, null, path));
        }
    }

    private static bool IsPomProperties(string name) =>
        name.StartsWith("META-INF/maven/", StringComparison.Ordinal) && name.EndsWith("/pom.properties", StringComparison.Ordinal)
        && name.Count(c => c == '/') == 4;

    private static bool IsArchive(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
