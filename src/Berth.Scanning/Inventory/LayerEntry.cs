namespace Berth.Scanning.Inventory;

public sealed record LayerEntry(string Path, LayerEntryKind Kind, UnixFileMode Mode, byte[]? Content);
