namespace Berth.Api;

/// <summary>What an import did: counts, the documents refused (at most 50 listed), the new version.</summary>
public sealed record AdvisoryImportResult(
    string Source,
    int Added,
    int Updated,
    int Unchanged,
    int Rejected,
    IReadOnlyList<AdvisoryImportError> Errors,
    long DatabaseVersion,
    int RescansQueued);
