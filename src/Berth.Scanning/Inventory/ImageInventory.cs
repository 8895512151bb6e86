namespace Berth.Scanning.Inventory;

/// <summary>What an image is made of: its distribution, when it has one, and every package found in its final filesystem.</summary>
public sealed record ImageInventory(OsInfo? Os, IReadOnlyList<Package> Packages);
