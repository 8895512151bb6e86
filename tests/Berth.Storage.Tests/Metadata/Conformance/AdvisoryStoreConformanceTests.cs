using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IAdvisoryStore"/>: imported advisories, their status and the advisory version.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class AdvisoryStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task AdvisoryUpsertsCountWhatEachBatchAddedReplacedAndLeftAsItWas()
    {
        var first = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "a.zip"), Advisory("CVE-3", "a.zip")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(3, 0, 0), first);

        var second = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "b.zip", T0, "fixed in 1.2"), Advisory("GO-4", "b.zip")], T0.AddHours(1), Ct);
        Assert.Equal(new AdvisoryUpsertResult(1, 1, 1), second);

        // The replaced one holds the new JSON, under its new source, modified and import time.
        var expected = new[] { Advisory("GHSA-1", "a.zip"), Advisory("GHSA-2", "b.zip", T0, "fixed in 1.2"), Advisory("CVE-3", "a.zip"), Advisory("GO-4", "b.zip") };
        Assert.Equal(expected.Select(a => a.Json).Order(StringComparer.Ordinal), (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
        var status = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal(
            [new AdvisorySourceStatus("a.zip", 2, T0, null), new AdvisorySourceStatus("b.zip", 2, T0.AddHours(1), T0)],
            status.Sources);
        Assert.Equal(new AdvisoryUpsertResult(0, 0, 0), await Advisories.UpsertAdvisoriesAsync([], T0, Ct));
        Assert.Equal(4, await CountRowsAsync("advisories"));
    }

    [Fact]
    public async Task AnAdvisoryRepeatedInABatchCountsOnceAndItsLastDocumentWins()
    {
        var added = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip", null, "one"), Advisory("GHSA-2", "a.zip"), Advisory("GHSA-1", "a.zip", null, "two")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(2, 0, 0), added);

        // The first copy is what is stored, the last is not: replaced.
        var updated = await Advisories.UpsertAdvisoriesAsync(
            [Advisory("GHSA-1", "a.zip", null, "two"), Advisory("GHSA-1", "a.zip", null, "three")], T0, Ct);
        Assert.Equal(new AdvisoryUpsertResult(0, 1, 0), updated);
        Assert.Equal(
            new[] { Advisory("GHSA-1", "a.zip", null, "three").Json, Advisory("GHSA-2", "a.zip").Json }.Order(StringComparer.Ordinal),
            (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheAdvisoryVersionStartsAtZeroAndEachBumpMovesItOnByOne()
    {
        Assert.Equal(0, await Advisories.GetAdvisoryVersionAsync(Ct));
        Assert.Equal(0, (await Advisories.GetAdvisoryStatusAsync(Ct)).Version);

        Assert.Equal(1, await Advisories.BumpAdvisoryVersionAsync(Ct));
        Assert.Equal(2, await Advisories.BumpAdvisoryVersionAsync(Ct));
        Assert.Equal(2, await Advisories.GetAdvisoryVersionAsync(Ct));
        Assert.Equal(2, (await Advisories.GetAdvisoryStatusAsync(Ct)).Version);
    }

    [Fact]
    public async Task ConcurrentBumpsEachGetADistinctIncreasingVersion()
    {
        var perBumper = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var versions = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                versions.Add(await Advisories.BumpAdvisoryVersionAsync(Ct));
            }

            return versions;
        })));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), perBumper.SelectMany(v => v).Order());
        Assert.All(perBumper, versions => Assert.Equal(versions.Order(), versions));
        Assert.Equal(40, await Advisories.GetAdvisoryVersionAsync(Ct));
    }

    [Fact]
    public async Task TheStatusCountsAdvisoriesPerSourceWithTheirLastImportAndNewestModifiedTime()
    {
        var empty = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal((0L, 0L, (DateTimeOffset?)null), (empty.Version, empty.AdvisoryCount, empty.LastImportedAt));
        Assert.Empty(empty.Sources);

        await Advisories.UpsertAdvisoriesAsync(
            [Advisory("PYSEC-1", "pypi.zip", T0.AddDays(-3)), Advisory("PYSEC-2", "pypi.zip", T0.AddDays(-1)), Advisory("PYSEC-3", "pypi.zip")], T0, Ct);
        await Advisories.UpsertAdvisoriesAsync([Advisory("GO-1", "go.zip")], T0.AddHours(1), Ct);

        // The same document again, later and from elsewhere, leaves the row as it is: source and import time too.
        Assert.Equal(new AdvisoryUpsertResult(0, 0, 1),
            await Advisories.UpsertAdvisoriesAsync([Advisory("PYSEC-1", "other.zip", T0.AddDays(-3))], T0.AddHours(2), Ct));
        await Advisories.BumpAdvisoryVersionAsync(Ct);

        var status = await Advisories.GetAdvisoryStatusAsync(Ct);
        Assert.Equal((1L, 4L, (DateTimeOffset?)T0.AddHours(1)), (status.Version, status.AdvisoryCount, status.LastImportedAt));
        Assert.Equal(
            [new AdvisorySourceStatus("go.zip", 1, T0.AddHours(1), null), new AdvisorySourceStatus("pypi.zip", 3, T0, T0.AddDays(-1))],
            status.Sources);
    }

    [Fact]
    public async Task ReadAdvisoriesStreamsEveryStoredDocument()
    {
        Assert.Empty(await ReadAllAdvisoriesAsync());
        var advisories = Enumerable.Range(0, 2500)
            .Select(i => Advisory($"GHSA-{i:D5}", i % 2 == 0 ? "a.zip" : "b.zip", T0.AddMinutes(i), new string('x', i % 100)))
            .ToList();
        Assert.Equal(new AdvisoryUpsertResult(1200, 0, 0), await Advisories.UpsertAdvisoriesAsync(advisories.Take(1200).ToList(), T0, Ct));
        Assert.Equal(new AdvisoryUpsertResult(1300, 0, 0), await Advisories.UpsertAdvisoriesAsync(advisories.Skip(1200).ToList(), T0, Ct));

        Assert.Equal(advisories.Select(a => a.Json).Order(StringComparer.Ordinal), (await ReadAllAdvisoriesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(2500, (await Advisories.GetAdvisoryStatusAsync(Ct)).AdvisoryCount);
    }

    [Fact]
    public async Task ReadingAdvisoriesStopsWhenCancelled()
    {
        await Advisories.UpsertAdvisoriesAsync(Enumerable.Range(0, 100).Select(i => Advisory($"GHSA-{i}", "a.zip")).ToList(), T0, Ct);
        using var cancellation = new CancellationTokenSource();
        var read = 0;

        // The token given through WithCancellation reaches the reader ([EnumeratorCancellation]).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Advisories.ReadAdvisoriesAsync(CancellationToken.None).WithCancellation(cancellation.Token))
            {
                read++;
                await cancellation.CancelAsync();
            }
        });
        Assert.Equal(1, read);
    }

    // ---- helpers

    private static AdvisoryDocument Advisory(string id, string source, DateTimeOffset? modified = null, string details = "") =>
        new(id, source, modified, $$"""{"id":"{{id}}","details":"{{details}}"}""");

    private async Task<List<string>> ReadAllAdvisoriesAsync()
    {
        var documents = new List<string>();
        await foreach (var json in Advisories.ReadAdvisoriesAsync(Ct))
        {
            documents.Add(json);
        }

        return documents;
    }
}
