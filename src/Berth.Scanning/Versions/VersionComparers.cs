namespace Berth.Scanning.Versions;

/// <summary>Maps OSV ecosystem names (https://ossf.github.io/osv-schema/#defined-ecosystems) to their version ordering.</summary>
public static class VersionComparers
{
    /// <summary>
    /// The comparer for an OSV ecosystem, ignoring any ":release" suffix ("Debian:12", "Alpine:v3.19",
    /// "Ubuntu:22.04:LTS"); null when Berth has no ordering for it.
    /// </summary>
    public static IVersionComparer? For(string ecosystem)
    {
        var colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
        var name = colon >= 0 ? ecosystem[..colon] : ecosystem;
        return name.ToLowerInvariant() switch
        {
            "debian" or "ubuntu" => DpkgVersion.Instance,
            "alpine" or "wolfi" or "chainguard" => ApkVersion.Instance,
            "red hat" or "rocky linux" or "almalinux" or "fedora" or "amazon linux" or "opensuse" or "suse" or "mageia"
                or "openeuler" => RpmVersion.Instance,
            "npm" or "go" or "crates.io" or "hex" => SemanticVersion.Instance,
            "nuget" => NuGetVersion.Instance,
            "pypi" => Pep440Version.Instance,
            "maven" => MavenVersion.Instance,
            _ => null,
        };
    }
}
