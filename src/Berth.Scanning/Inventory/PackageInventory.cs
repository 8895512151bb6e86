namespace Berth.Scanning.Inventory;

/// <summary>
/// Lists the packages installed in an image by streaming its layers once each, in order: every wanted file is parsed
/// as it passes and only the findings are kept, so nothing is unpacked to disk and no layer is held in memory.
/// </summary>
public static class PackageInventory
{
    private static readonly IFileAnalyser[] Analysers =
    [
        new OsReleaseAnalyser(),
        new DpkgAnalyser(),
        new ApkAnalyser(),
        new RpmAnalyser(),
        new NpmAnalyser(),
        new DotnetDepsAnalyser(),
        new PythonAnalyser(),
        new JavaArchiveAnalyser(),
        // Last: it wants every executable, which the more specific analysers above never claim.
        new GoBinaryAnalyser(),
    ];

    public static async Task<ImageInventory> BuildAsync(IEnumerable<(Stream Layer, string MediaType)> layers, CancellationToken cancellationToken)
    {
        var filesystem = new ImageFilesystem<FileFinding>();
        foreach (var (layer, mediaType) in layers)
        {
            await ApplyLayerAsync(filesystem, layer, mediaType, cancellationToken);
        }

        return Assemble(filesystem.Files);
    }

    /// <summary>
    /// The same, opening each layer only when its turn comes and disposing it after, so that one layer stream is
    /// open at a time (a remote blob store's connection is not held open while earlier layers are read).
    /// </summary>
    public static async Task<ImageInventory> BuildAsync(IReadOnlyList<LayerSource> layers, CancellationToken cancellationToken)
    {
        var filesystem = new ImageFilesystem<FileFinding>();
        foreach (var source in layers)
        {
            await using var layer = await source.OpenAsync(cancellationToken);
            await ApplyLayerAsync(filesystem, layer, source.MediaType, cancellationToken);
        }
        return Assemble(filesystem.Files);
    }

    /// <summary>True when <see cref="LayerReader"/> can read layers of this media type.</summary>
    public static bool IsSupportedLayer(string mediaType) => LayerReader.IsSupported(mediaType);

    private static async Task ApplyLayerAsync(ImageFilesystem<FileFinding> filesystem, Stream layer, string mediaType, CancellationToken cancellationToken)
    {
        var whiteouts = new List<string>();
        var opaque = new List<string>();
        var files = new List<KeyValuePair<string, FileFinding?>>();
        await foreach (var entry in LayerReader.ReadAsync(layer, mediaType, file => AnalyserFor(file) is not null, cancellationToken))
        {
            switch (entry.Kind)
            {
                case LayerEntryKind.Whiteout:
                    whiteouts.Add(entry.Path);
                    break;
                case LayerEntryKind.OpaqueDirectory:
                    opaque.Add(entry.Path);
                    break;
                case LayerEntryKind.File when entry.Content is not null:
                    var analyser = AnalyserFor(new LayerFile(entry.Path, entry.Mode, entry.Content.Length));
                    files.Add(new(entry.Path, analyser?.Analyse(entry.Path, entry.Content)));
                    break;
                case LayerEntryKind.File or LayerEntryKind.Other when filesystem.Contains(entry.Path):
                    files.Add(new(entry.Path, null));
                    break;
            }
        }
        filesystem.ApplyLayer(whiteouts, opaque, files);
    }

    private static IFileAnalyser? AnalyserFor(LayerFile file) => Array.Find(Analysers, a => a.Wants(file));

    private static ImageInventory Assemble(IReadOnlyDictionary<string, FileFinding> files)
    {
        // etc/os-release is authoritative; usr/lib/os-release is the fallback it usually links to.
        var os = OsReleaseAnalyser.Paths.Select(p => files.GetValueOrDefault(p)?.Os).FirstOrDefault(o => o is not null);
        var packages = files.Values
            .SelectMany(f => f.OsPackages && os?.Ecosystem is { } ecosystem
                ? f.Packages.Select(p => p with { Ecosystem = ecosystem, Release = os.Release })
                : f.Packages)
            .OrderBy(p => p.Ecosystem, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Version, StringComparer.Ordinal)
            .ThenBy(p => p.Location, StringComparer.Ordinal)
            .ToList();
        return new ImageInventory(os, packages);
    }
}
