namespace Berth.Scanning.Inventory;

/// <summary>What one tar entry of a layer means for the image filesystem.</summary>
public enum LayerEntryKind
{
    /// <summary>A regular file; <see cref="LayerEntry.Content"/> is set only when it was wanted and small enough.</summary>
    File,
    /// <summary>A <c>.wh.name</c> marker: <see cref="LayerEntry.Path"/> is the deleted path (file or directory).</summary>
    Whiteout,
    /// <summary>A <c>.wh..wh..opq</c> marker: <see cref="LayerEntry.Path"/> is the directory whose lower contents are hidden.</summary>
    OpaqueDirectory,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>Symlinks, hard links, devices: they replace whatever a lower layer had at the path.</summary>
    Other,
}
