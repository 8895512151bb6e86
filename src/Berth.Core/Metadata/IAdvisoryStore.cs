namespace Berth.Core.Metadata;

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
