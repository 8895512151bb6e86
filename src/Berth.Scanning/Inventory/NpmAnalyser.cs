using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.Scanning.Inventory;

/// <summary>npm packages: package-lock.json files (lockfile v1 "dependencies", v2/v3 "packages") and installed node_modules/*/package.json.</summary>
internal sealed partial class NpmAnalyser : IFileAnalyser
{
    private const string Ecosystem = "npm";

    public bool Wants(LayerFile file) => IsLockfile(file.Path) || InstalledManifest().IsMatch(file.Path);

    public FileFinding? Analyse(string path, byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return FileFinding.ForPackages(IsLockfile(path) ? FromLockfile(document.RootElement, path) : FromManifest(document.RootElement, path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Exactly "package-lock.json": npm's hidden node_modules/.package-lock.json repeats what the manifests already say.
    private static bool IsLockfile(string path) => path == "package-lock.json" || path.EndsWith("/package-lock.json", StringComparison.Ordinal);

    private static List<Package> FromManifest(JsonElement root, string path) =>
        String(root, "name") is { } name && String(root, "version") is { } version ? [new Package(Ecosystem, name, version, null, null, path)] : [];

    private static List<Package> FromLockfile(JsonElement root, string path)
    {
        var packages = new List<Package>();
        if (root.TryGetProperty("packages", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in map.EnumerateObject())
            {
                // "" is the project itself; links point at workspace folders listed under their own key.
                const string marker = "node_modules/";
                var at = entry.Name.LastIndexOf(marker, StringComparison.Ordinal);
                if (at < 0 || entry.Value.ValueKind != JsonValueKind.Object || entry.Value.TryGetProperty("link", out _))
                {
                    continue;
                }

                var name = String(entry.Value, "name") ?? entry.Name[(at + marker.Length)..];
                if (String(entry.Value, "version") is { } version)
                {
                    packages.Add(new Package(Ecosystem, name, version, null, null, path));
                }
            }
        }
        else if (root.TryGetProperty("dependencies", out var dependencies))
        {
            AddV1(dependencies, path, packages);
        }

        return packages;
    }

    /// <summary>Lockfile v1 nests packages that could not be hoisted under their dependant's own "dependencies".</summary>
    private static void AddV1(JsonElement dependencies, string path, List<Package> packages)
    {
        if (dependencies.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var dependency in dependencies.EnumerateObject())
        {
            if (dependency.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (String(dependency.Value, "version") is { } version)
            {
                packages.Add(new Package(Ecosystem, dependency.Name, version, null, null, path));
            }

            if (dependency.Value.TryGetProperty("dependencies", out var nested))
            {
                AddV1(nested, path, packages);
            }
        }
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"(^|/)node_modules/(@[^/]+/)?[^/@.][^/]*/package\.json$")]
    private static partial Regex InstalledManifest();
}
