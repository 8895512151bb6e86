using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>
/// Debian's package database: var/lib/dpkg/status, plus the one-file-per-package status.d/ that distroless images
/// write instead (those paragraphs have no Status field: a file there means the package is installed).
/// </summary>
internal sealed class DpkgAnalyser : IFileAnalyser
{
    private const string StatusFile = "var/lib/dpkg/status";
    private const string StatusDirectory = "var/lib/dpkg/status.d/";

    public bool Wants(LayerFile file) =>
        file.Path == StatusFile
        // Distroless puts each package's md5sums beside its paragraph; they are not package records.
        || (file.Path.StartsWith(StatusDirectory, StringComparison.Ordinal) && !file.Path.EndsWith(".md5sums", StringComparison.Ordinal));

    public FileFinding? Analyse(string path, byte[] content)
    {
        var packages = new List<Package>();
        foreach (var paragraph in ControlParagraphs.Parse(Encoding.UTF8.GetString(content)))
        {
            if (!paragraph.TryGetValue("Package", out var name) || !paragraph.TryGetValue("Version", out var version))
            {
                continue;
            }
            // "install ok installed" and "hold ok installed" are on disk; "deinstall ok config-files" and the like are not.
            if (paragraph.TryGetValue("Status", out var status) && !status.EndsWith(" installed", StringComparison.Ordinal))
            {
                continue;
            }
            // Source may carry the source version in parentheses; Debian policy: no Source field means the source is named like the binary.
            var source = paragraph.TryGetValue("Source", out var s) ? s.Split(' ', 2)[0] : name;
            packages.Add(new Package("Debian", name, version, null, source, path));
        }
        return FileFinding.ForOsPackages(packages);
    }
}
