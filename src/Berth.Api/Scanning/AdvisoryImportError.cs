namespace Berth.Api;

/// <summary>An OSV document an import refused: where it was (a file, an archive entry, an array index) and why.</summary>
public sealed record AdvisoryImportError(string Location, string Message);
