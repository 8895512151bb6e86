namespace Berth.Scanning.Inventory;

/// <summary>A layer to read: its media type, and how to open its blob when its turn comes.</summary>
public sealed record LayerSource(string MediaType, Func<CancellationToken, Task<Stream>> OpenAsync);
