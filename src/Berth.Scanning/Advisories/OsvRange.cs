namespace Berth.Scanning.Advisories;

/// <summary>A version range: <see cref="Type"/> is ECOSYSTEM, SEMVER or GIT.</summary>
public sealed record OsvRange(string Type, IReadOnlyList<OsvEvent> Events);
