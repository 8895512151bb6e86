namespace Berth.Scanning.Advisories;

public sealed record OsvPackage(string Ecosystem, string Name, string? Purl);
