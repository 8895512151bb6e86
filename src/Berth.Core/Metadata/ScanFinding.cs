namespace Berth.Core.Metadata;

/// <summary>
/// One advisory that matched an image, at the worst severity it was found with (several packages of an image may match
/// the same advisory: it is one finding). Stored per image so that counts over many images are made in the database.
/// </summary>
public sealed record ScanFinding(string AdvisoryId, ScanSeverity Severity);
