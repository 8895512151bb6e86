using System.Text.Json;

namespace Berth.Scanning.Inventory;

/// <summary>.NET applications' *.deps.json: the "libraries" entries of type "package" are the NuGet packages the app ships with.</summary>
internal sealed class DotnetDepsAnalyser : IFileAnalyser
{
    public bool Wants(LayerFile file) => file.Path.EndsWith(".deps.json", StringComparison.Ordinal);

    public FileFinding? Analyse(string path, byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("libraries", out var libraries) || libraries.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var packages = new List<Package>();
            foreach (var library in libraries.EnumerateObject())
            {
                // Keys are "Name/Version"; "project" and "reference" entries are the app's own assemblies.
                var slash = library.Name.IndexOf('/');
                if (slash > 0 && library.Value.ValueKind == JsonValueKind.Object
                    && library.Value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "package")
                {
                    packages.Add(new Package("NuGet", library.Name[..slash], library.Name[(slash + 1)..], null, null, path));
                }
            }
            return FileFinding.ForPackages(packages);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
