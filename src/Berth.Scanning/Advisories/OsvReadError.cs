namespace Berth.Scanning.Advisories;

/// <summary>A document that could not be imported: where it was (archive entry, array index) and why.</summary>
public sealed record OsvReadError(string Location, string Message);
