using System.Text.Json.Nodes;
using Berth.Api;

namespace Berth.Registry.Scanning;

/// <summary>
/// The package inventory of a scanned image as a CycloneDX 1.5 SBOM (JSON): the image as the described component, its
/// distribution as an operating-system component, and one library component per package with its package URL.
/// </summary>
public static class CycloneDxSbom
{
    public const string MediaType = "application/vnd.cyclonedx+json";

    public const string SpecVersion = "1.5";

    // purl namespaces of the rpm distributions, by OSV ecosystem (https://github.com/package-url/purl-spec).
    private static readonly Dictionary<string, string> RpmVendors = new(StringComparer.Ordinal)
    {
        ["Red Hat"] = "redhat",
        ["Rocky Linux"] = "rocky",
        ["AlmaLinux"] = "almalinux",
        ["Fedora"] = "fedora",
        ["Amazon Linux"] = "amazon",
    };

    /// <summary>
    /// The name a downloaded SBOM is saved under: the repository ('/' made '_') and the first 12 hex digits of the
    /// image digest, e.g. <c>team_api_0123456789ab.cdx.json</c>.
    /// </summary>
    public static string FileName(string repository, string digest) =>
        $"{repository.Replace('/', '_')}_{digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..][..12]}.cdx.json";

    public static JsonObject Create(string image, string digest, ScanReport report, DateTimeOffset scannedAt)
    {
        var components = new JsonArray();
        if (report.Os is { } os)
        {
            components.Add(new JsonObject
            {
                ["type"] = "operating-system",
                ["bom-ref"] = "os:" + os.Id,
                ["name"] = os.Id,
                ["version"] = os.VersionId,
            });
        }

        // One component per package URL: the same package found in two places (a lockfile and node_modules) is one
        // component, with every location as a property.
        foreach (var group in report.Packages.GroupBy(p => Purl(p, report.Os) ?? $"{p.Ecosystem}:{p.Name}@{p.Version}", StringComparer.Ordinal))
        {
            var package = group.First();
            var component = new JsonObject
            {
                ["type"] = "library",
                ["bom-ref"] = group.Key,
                ["name"] = package.Name,
                ["version"] = package.Version,
            };
            if (Purl(package, report.Os) is { } purl)
            {
                component["purl"] = purl;
            }

            component["properties"] = new JsonArray([
                new JsonObject { ["name"] = "berth:ecosystem", ["value"] = package.Ecosystem },
                .. group.Select(p => p.Location).Distinct(StringComparer.Ordinal).Select(l => (JsonNode)new JsonObject { ["name"] = "berth:location", ["value"] = l }),
            ]);
            components.Add(component);
        }

        return new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = SpecVersion,
            ["serialNumber"] = "urn:uuid:" + Guid.NewGuid(),
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = scannedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["tools"] = new JsonObject { ["components"] = new JsonArray(new JsonObject { ["type"] = "application", ["name"] = "berth" }) },
                ["component"] = new JsonObject { ["type"] = "container", ["bom-ref"] = digest, ["name"] = image, ["version"] = digest },
            },
            ["components"] = components,
        };
    }

    /// <summary>The package URL of a package found in an image, or null for an ecosystem purl has no type for here.</summary>
    public static string? Purl(PackageView package, OsView? os)
    {
        var name = package.Name;
        var version = Escape(package.Version);
        string? Distro() => os?.VersionId is { } v ? $"?distro={Escape(os.Id)}-{Escape(v)}" : null;
        switch (package.Ecosystem)
        {
            case "Debian" or "Ubuntu":
                return $"pkg:deb/{package.Ecosystem.ToLowerInvariant()}/{Escape(name)}@{version}{Distro()}";
            case "Alpine":
                return $"pkg:apk/alpine/{Escape(name)}@{version}{Distro()}";
            case var rpm when RpmVendors.TryGetValue(rpm, out var vendor):
                // purl keeps an rpm epoch out of the version, as a qualifier.
                var colon = package.Version.IndexOf(':', StringComparison.Ordinal);
                var qualifiers = new List<string>();
                if (colon > 0)
                {
                    qualifiers.Add("epoch=" + Escape(package.Version[..colon]));
                    version = Escape(package.Version[(colon + 1)..]);
                }

                if (os?.VersionId is { } release)
                {
                    qualifiers.Add($"distro={Escape(os.Id)}-{Escape(release)}");
                }

                return $"pkg:rpm/{vendor}/{Escape(name)}@{version}" + (qualifiers.Count == 0 ? "" : "?" + string.Join('&', qualifiers));
            case "npm":
                // A scope is the namespace: @types/node is pkg:npm/%40types/node.
                return $"pkg:npm/{string.Join('/', name.Split('/').Select(Escape))}@{version}";
            case "NuGet":
                return $"pkg:nuget/{Escape(name)}@{version}";
            case "PyPI":
                return $"pkg:pypi/{Escape(name.ToLowerInvariant().Replace('_', '-'))}@{version}";
            case "Go":
                return $"pkg:golang/{string.Join('/', name.Split('/').Select(Escape))}@{version}";
            case "Maven" when name.Split(':') is [var group, var artifact]:
                return $"pkg:maven/{Escape(group)}/{Escape(artifact)}@{version}";
            default:
                return null;
        }
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
