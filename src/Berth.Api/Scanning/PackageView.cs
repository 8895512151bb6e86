namespace Berth.Api;

/// <summary>A package found; <see cref="Release"/> is the distribution release an OS package belongs to ("12").</summary>
public sealed record PackageView(string Ecosystem, string Name, string Version, string? SourceName, string Location, string? Release = null);
