using System.Text;

namespace Berth.Scanning.Inventory;

/// <summary>Reads os-release (ID, VERSION_ID) and names the distribution as OSV does.</summary>
internal sealed class OsReleaseAnalyser : IFileAnalyser
{
    /// <summary>In precedence order: the os-release(5) man page has etc/ override usr/lib/.</summary>
    public static readonly string[] Paths = ["etc/os-release", "usr/lib/os-release"];

    public bool Wants(LayerFile file) => Paths.Contains(file.Path);

    public FileFinding? Analyse(string path, byte[] content)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && !line.TrimStart().StartsWith('#'))
            {
                fields[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"', '\'');
            }
        }
        if (!fields.TryGetValue("ID", out var id))
        {
            return null;
        }

        var versionId = fields.GetValueOrDefault("VERSION_ID");
        var (ecosystem, release) = Name(id, versionId);
        return FileFinding.ForOs(new OsInfo(id, versionId, ecosystem, release));
    }

    internal static (string? Ecosystem, string? Release) Name(string id, string? versionId) => id switch
    {
        "debian" => ("Debian", Major(versionId)),
        "ubuntu" => ("Ubuntu", versionId),
        // Alpine's advisories are per branch ("v3.19"), not per point release.
        "alpine" => ("Alpine", versionId is null ? null : "v" + string.Join('.', versionId.Split('.').Take(2))),
        "rhel" => ("Red Hat", Major(versionId)),
        "rocky" => ("Rocky Linux", Major(versionId)),
        "almalinux" => ("AlmaLinux", Major(versionId)),
        "fedora" => ("Fedora", Major(versionId)),
        "amzn" => ("Amazon Linux", Major(versionId)),
        _ => (null, null),
    };

    private static string? Major(string? versionId) => versionId?.Split('.')[0];
}
