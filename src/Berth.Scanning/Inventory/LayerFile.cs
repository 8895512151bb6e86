namespace Berth.Scanning.Inventory;

/// <summary>A file's metadata as the analysers see it before deciding whether to read it.</summary>
public readonly record struct LayerFile(string Path, UnixFileMode Mode, long Size);
