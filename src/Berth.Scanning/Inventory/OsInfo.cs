namespace Berth.Scanning.Inventory;

/// <summary>The distribution an image is built on, from its os-release file.</summary>
/// <param name="Id">The os-release <c>ID</c> ("debian", "alpine", ...).</param>
/// <param name="VersionId">The os-release <c>VERSION_ID</c>, or null when the file has none.</param>
/// <param name="Ecosystem">The OSV ecosystem ("Debian", "Alpine", ...), or null for a distribution OSV does not track.</param>
/// <param name="Release">The release as OSV names it ("12", "v3.19"), or null when the distribution has none (e.g. Debian testing).</param>
public sealed record OsInfo(string Id, string? VersionId, string? Ecosystem, string? Release);
