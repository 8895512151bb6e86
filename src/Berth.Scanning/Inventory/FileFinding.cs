namespace Berth.Scanning.Inventory;

/// <summary>
/// What one file contributed. OS package databases don't know which distribution they belong to, so their
/// packages carry a default ecosystem (their package manager's usual distribution) until the image's os-release is known.
/// </summary>
internal sealed record FileFinding(OsInfo? Os, IReadOnlyList<Package> Packages, bool OsPackages)
{
    public static FileFinding ForOs(OsInfo os) => new(os, [], false);
    public static FileFinding ForOsPackages(IReadOnlyList<Package> packages) => new(null, packages, true);
    public static FileFinding ForPackages(IReadOnlyList<Package> packages) => new(null, packages, false);
}
