namespace Berth.Scanning;

/// <summary>
/// An installed package found in an image. <see cref="Ecosystem"/> uses OSV's ecosystem names ("Debian", "Alpine",
/// "Red Hat", "npm", "NuGet", "PyPI", "Go", "Maven"); <see cref="Release"/> is the distribution release for OS
/// packages ("12" for Debian 12, "v3.19" for Alpine 3.19), so the advisory ecosystem is e.g. "Debian:12".
/// </summary>
public sealed record Package(string Ecosystem, string Name, string Version, string? Release, string? SourceName, string Location);
