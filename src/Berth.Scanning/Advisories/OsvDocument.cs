namespace Berth.Scanning.Advisories;

/// <summary>One OSV document read for import: the advisory, and its JSON exactly as it was in the input.</summary>
public sealed record OsvDocument(OsvAdvisory Advisory, string Json);
