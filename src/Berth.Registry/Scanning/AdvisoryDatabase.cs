using Berth.Api;
using Berth.Core.Metadata;
using Berth.Scanning.Advisories;

namespace Berth.Registry.Scanning;

/// <summary>
/// The OSV advisory database as the scanner uses it. Imports go into the metadata store (shared by every node) in
/// batches; an import that changed anything moves the database version on and queues every older scan again. Each
/// node keeps one in-memory <see cref="AdvisoryMatcher"/>, rebuilt when it sees the version move, whichever node
/// imported: a version check is one small query per scan, the rebuild happens once per import.
/// </summary>
public sealed partial class AdvisoryDatabase(
    IAdvisoryStore store, IScanStore scans, ScanQueue queue, TimeProvider time, ILogger<AdvisoryDatabase> logger) : IDisposable
{
    public const int MaxReportedErrors = 50;

    // Large enough to amortise a transaction, small enough that a batch's JSON stays a few MB.
    private const int BatchSize = 2000;

    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile AdvisorySnapshot? _snapshot;

    /// <summary>The current advisories, rebuilt first when the database moved on since the last build.</summary>
    public async Task<AdvisorySnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var version = await store.GetAdvisoryVersionAsync(cancellationToken);
        if (_snapshot is { } current && current.Version == version)
        {
            return current;
        }

        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            // Another scan may have rebuilt it while this one waited.
            if (_snapshot is { } rebuilt && rebuilt.Version >= version)
            {
                return rebuilt;
            }

            // Documents imported after the version was read may be included too: the snapshot can only be newer than
            // its label, and the next scan sees the new version and rebuilds. The old index is let go first, so the
            // two are never both alive (scans wait for this one meanwhile, as they would anyway).
            _snapshot = null;
            var started = time.GetTimestamp();
            var matcher = await AdvisoryMatcher.BuildAsync(ParseAsync(store.ReadAdvisoriesAsync(cancellationToken)), cancellationToken);
            var snapshot = new AdvisorySnapshot(version, matcher.AdvisoryCount, matcher);
            _snapshot = snapshot;
            LogRebuilt(logger, version, matcher.AdvisoryCount, time.GetElapsedTime(started).TotalMilliseconds);
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private static async IAsyncEnumerable<OsvAdvisory> ParseAsync(IAsyncEnumerable<string> documents)
    {
        await foreach (var json in documents)
        {
            foreach (var advisory in OsvParser.Parse(json))
            {
                yield return advisory;
            }
        }
    }

    /// <summary>
    /// Stores the documents under <paramref name="source"/>, in batches as they are read (an archive is never held
    /// whole). <paramref name="errors"/> is the list the reader adds refused documents to.
    /// </summary>
    public async Task<AdvisoryImportResult> ImportAsync(
        IEnumerable<OsvDocument> documents, string source, List<OsvReadError> errors, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int added = 0, updated = 0, unchanged = 0;

        // Keyed by id, last one wins: an id twice in one batch would be two writes of one row in one statement.
        var batch = new Dictionary<string, AdvisoryDocument>(StringComparer.Ordinal);
        async Task FlushAsync()
        {
            var result = await store.UpsertAdvisoriesAsync([.. batch.Values], now, cancellationToken);
            added += result.Added;
            updated += result.Updated;
            unchanged += result.Unchanged;
            batch.Clear();
        }

        foreach (var document in documents)
        {
            batch[document.Advisory.Id] = new AdvisoryDocument(document.Advisory.Id, source, document.Advisory.Modified, document.Json);
            if (batch.Count >= BatchSize)
            {
                await FlushAsync();
            }
        }

        if (batch.Count > 0)
        {
            await FlushAsync();
        }

        long version;
        var rescans = 0;
        if (added + updated > 0)
        {
            version = await store.BumpAdvisoryVersionAsync(cancellationToken);
            rescans = await scans.QueueOutdatedScansAsync(version, time.GetUtcNow(), cancellationToken);
            queue.Wake();
        }
        else
        {
            version = await store.GetAdvisoryVersionAsync(cancellationToken);
        }

        LogImported(logger, source, added, updated, unchanged, errors.Count, version, rescans);
        return new AdvisoryImportResult(source, added, updated, unchanged, errors.Count, [.. errors.Take(MaxReportedErrors).Select(e => new AdvisoryImportError(e.Location, e.Message))], version, rescans);
    }

    public void Dispose() => _rebuild.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Advisory index for database version {Version} built: {Count} advisories in {Milliseconds:F0} ms")]
    private static partial void LogRebuilt(ILogger logger, long version, int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Advisories imported from {Source}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected; database version {Version}, {Rescans} scans queued again")]
    private static partial void LogImported(ILogger logger, string source, int added, int updated, int unchanged, int rejected, long version, int rescans);
}
