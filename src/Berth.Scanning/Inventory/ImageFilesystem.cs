namespace Berth.Scanning.Inventory;

/// <summary>
/// The union of an image's layers, restricted to the paths someone cares about: each path maps to what was
/// learned from the file (not its bytes), so memory stays proportional to the findings. Layers are applied in
/// order with OCI whiteout semantics.
/// </summary>
public sealed class ImageFilesystem<T>
{
    private readonly Dictionary<string, T> _files = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, T> Files => _files;

    public bool Contains(string path) => _files.ContainsKey(path);

    /// <summary>
    /// Applies one layer. Deletions (whiteouts, opaque directories) act only on lower layers, so they run before the
    /// layer's own files are added, whatever order the tar listed them in. A null value means the layer put something
    /// at the path that is of no interest (an unwanted file, a symlink), which still hides the lower file.
    /// </summary>
    public void ApplyLayer(IEnumerable<string> whiteouts, IEnumerable<string> opaqueDirectories, IEnumerable<KeyValuePair<string, T?>> files)
    {
        foreach (var path in whiteouts)
        {
            _files.Remove(path);
            RemoveBelow(path);
        }
        foreach (var directory in opaqueDirectories)
        {
            RemoveBelow(directory);
        }

        foreach (var (path, value) in files)
        {
            if (value is null)
            {
                _files.Remove(path);
            }
            else
            {
                _files[path] = value;
            }
        }
    }

    private void RemoveBelow(string directory)
    {
        var prefix = directory.Length == 0 ? "" : directory + "/";
        foreach (var key in _files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _files.Remove(key);
        }
    }
}
