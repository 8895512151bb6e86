namespace Berth.Core.Metadata;

/// <summary>
/// One advisory as imported: its OSV id (globally unique across OSV databases), the source it was imported from
/// (e.g. the file or archive name), its OSV <c>modified</c> time, and the OSV JSON document itself.
/// </summary>
public sealed record AdvisoryDocument(string Id, string Source, DateTimeOffset? Modified, string Json);

/// <summary>What one batch of an import changed.</summary>
public sealed record AdvisoryUpsertResult(int Added, int Updated, int Unchanged);

/// <summary>
/// The advisory database as the operator sees it. <see cref="Version"/> moves on with every import that changed
/// something; scans record the version they matched against, so a scan older than it is out of date.
/// </summary>
public sealed record AdvisoryDatabaseStatus(long Version, long AdvisoryCount, DateTimeOffset? LastImportedAt, IReadOnlyList<AdvisorySourceStatus> Sources);

/// <summary>Per source: how many advisories it holds, when it was last imported, and the newest OSV <c>modified</c> among them.</summary>
public sealed record AdvisorySourceStatus(string Source, long AdvisoryCount, DateTimeOffset LastImportedAt, DateTimeOffset? NewestModified);

/// <summary>The OSV advisories the scanner matches images against, imported by the operator (offline-capable).</summary>
public interface IAdvisoryStore
{
    /// <summary>
    /// Stores a batch in one transaction: an advisory new by id is added; one whose stored JSON differs is replaced
    /// (with the new source, modified time and import time); an identical one is left as it is.
    /// </summary>
    Task<AdvisoryUpsertResult> UpsertAdvisoriesAsync(IReadOnlyList<AdvisoryDocument> advisories, DateTimeOffset importedAt, CancellationToken cancellationToken);

    /// <summary>Moves the database version on (once per import that changed something) and returns the new version.</summary>
    Task<long> BumpAdvisoryVersionAsync(CancellationToken cancellationToken);

    /// <summary>The current database version: 0 before anything was imported.</summary>
    Task<long> GetAdvisoryVersionAsync(CancellationToken cancellationToken);

    Task<AdvisoryDatabaseStatus> GetAdvisoryStatusAsync(CancellationToken cancellationToken);

    /// <summary>Every stored advisory's JSON, streamed (the scanner builds its in-memory index from them).</summary>
    IAsyncEnumerable<string> ReadAdvisoriesAsync(CancellationToken cancellationToken);
}
