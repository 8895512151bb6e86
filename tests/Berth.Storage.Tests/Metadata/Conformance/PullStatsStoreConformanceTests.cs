using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IPullStatsStore"/>: pull counts per manifest and hour, and the statistics read from them.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class PullStatsStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task PullBatchesAddUpAcrossCallsAndKeysAndKeepTheLatestPull()
    {
        var repository = await NewRepositoryAsync();
        var (m1, m2) = (Manifest("m1"), Manifest("m2"));
        await Artifacts.PutManifestAsync(repository.Id, m1, [], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, m2, [], null, "v2", T0, Ct);
        var hour = Hour.AddHours(-3);

        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, m1.Digest, hour, 2, hour.AddMinutes(10)),
                new PullCount(repository.Id, m1.Digest, hour, 3, hour.AddMinutes(40)),
                new PullCount(repository.Id, m1.Digest, hour.AddHours(1), 1, hour.AddMinutes(70)),
                new PullCount(repository.Id, m2.Digest, hour, 4, hour.AddMinutes(5)),
            ], Ct);

        // A later batch adds to the same hours; a pull it reports as earlier does not move "last pull" back.
        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, m1.Digest, hour, 10, hour.AddMinutes(20)),
                new PullCount(repository.Id, m2.Digest, hour, 1, hour.AddMinutes(50)),
            ], Ct);
        await PullStats.RecordPullsAsync([], Ct);

        Assert.Equal(
            new[] { new ManifestPullStats(m1.Digest, 16, hour.AddMinutes(70)), new ManifestPullStats(m2.Digest, 5, hour.AddMinutes(50)) }
                .OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            await PullStats.GetManifestPullStatsAsync(repository.Id, Ct));
        var stats = Assert.Single(await PullStats.GetRepositoryPullStatsAsync(repository.RegistryId, Now, Ct));
        Assert.Equal(new RepositoryPullStats("app", 21, hour.AddMinutes(70), 21, 21), stats);
    }

    [Fact]
    public async Task ManifestPullStatsListTheManifestsThatStillExist()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var (kept, deleted, unpulled) = (Manifest("kept"), Manifest("deleted"), Manifest("unpulled"));
        foreach (var manifest in new[] { kept, deleted, unpulled })
        {
            await Artifacts.PutManifestAsync(app.Id, manifest, [], null, null, T0, Ct);
        }

        await Artifacts.PutManifestAsync(db.Id, kept, [], null, null, T0, Ct);
        await PullStats.RecordPullsAsync(
            [
                new PullCount(app.Id, kept.Digest, Hour, 3, Now),
                new PullCount(app.Id, deleted.Digest, Hour, 5, Now),
                new PullCount(app.Id, Digest("never-a-manifest"), Hour, 7, Now),
                new PullCount(db.Id, kept.Digest, Hour, 11, Now),
            ], Ct);
        Assert.True(await DeleteManifestNowAsync(app.Id, deleted.Digest, Ct));

        Assert.Equal(
            new[] { new ManifestPullStats(kept.Digest, 3, Now), new ManifestPullStats(unpulled.Digest, 0, null) }
                .OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            await PullStats.GetManifestPullStatsAsync(app.Id, Ct));
        Assert.Equal([new ManifestPullStats(kept.Digest, 11, Now)], await PullStats.GetManifestPullStatsAsync(db.Id, Ct));
        Assert.Empty(await PullStats.GetManifestPullStatsAsync(-1, Ct));
    }

    [Fact]
    public async Task RepositoryPullStatsListEveryRepositoryWithDayAndWeekWindowsByTheHour()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "Zed", T0, Ct);
        await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var elsewhere = await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        var digest = Digest("m1");

        // Hour is the hour Now falls in (Now = Hour + 30 min). An hour is inside a window when it starts after
        // Now minus the window: 24 hours back reaches Hour - 23 h, 7 days back reaches Hour - 6 d 23 h.
        await PullStats.RecordPullsAsync(
            [
                new PullCount(app.Id, digest, Hour, 1, Hour.AddMinutes(20)),
                new PullCount(app.Id, digest, Hour.AddHours(-23), 2, Hour.AddHours(-23)),
                new PullCount(app.Id, digest, Hour.AddHours(-24), 4, Hour.AddHours(-24)),
                new PullCount(app.Id, digest, Hour.AddDays(-7).AddHours(1), 8, Hour.AddDays(-7).AddHours(1)),
                new PullCount(app.Id, digest, Hour.AddDays(-7), 16, Hour.AddDays(-7)),
                new PullCount(app.Id, digest, Hour.AddDays(-30), 32, Hour.AddDays(-30)),
                new PullCount(elsewhere.Id, digest, Hour, 64, Hour),
            ], Ct);

        Assert.Equal(
            [
                new RepositoryPullStats("Zed", 0, null, 0, 0),
                new RepositoryPullStats("app", 63, Hour.AddMinutes(20), 3, 15),
                new RepositoryPullStats("db", 0, null, 0, 0),
            ],
            await PullStats.GetRepositoryPullStatsAsync(registry.Id, Now, Ct));

        // On the hour the windows hold the same 24 and 168 hours; an hour later each has moved on by one.
        Assert.Equal((3, 15), Windows(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Hour, Ct)));
        Assert.Equal((1, 7), Windows(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Hour.AddHours(1), Ct)));
        Assert.Equal(
            [new RepositoryPullStats("app", 64, Hour, 64, 64)],
            await PullStats.GetRepositoryPullStatsAsync(other.Id, Now, Ct));
        Assert.Empty(await PullStats.GetRepositoryPullStatsAsync("missing", Now, Ct));

        static (long Day, long Week) Windows(IReadOnlyList<RepositoryPullStats> stats)
        {
            var app = Assert.Single(stats, s => s.Repository == "app");
            return (app.PullsLast24Hours, app.PullsLast7Days);
        }
    }

    [Fact]
    public async Task ConcurrentPullBatchesOverTheSameKeysAllCount()
    {
        var repository = await NewRepositoryAsync();
        var manifests = Enumerable.Range(0, 5).Select(i => Manifest($"m{i}")).ToList();
        foreach (var manifest in manifests)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, null, T0, Ct);
        }

        // 8 flushers x 5 batches over the same 20 keys, half of them in reverse order (lock order must not matter).
        var keys = manifests.SelectMany(m => Enumerable.Range(0, 4).Select(h => (m.Digest, Hour: Hour.AddHours(-h)))).ToList();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(flusher => Task.Run(async () =>
        {
            var ordered = flusher % 2 == 0 ? keys : Enumerable.Reverse(keys).ToList();
            for (var batch = 0; batch < 5; batch++)
            {
                await PullStats.RecordPullsAsync(
                    ordered.Select(k => new PullCount(repository.Id, k.Digest, k.Hour, 1, k.Hour.AddMinutes(flusher))).ToList(), Ct);
            }
        })));

        var stats = await PullStats.GetManifestPullStatsAsync(repository.Id, Ct);
        Assert.Equal(5, stats.Count);
        Assert.All(stats, s => Assert.Equal((8 * 5 * 4, Hour.AddMinutes(7)), (s.PullCount, s.LastPulledAt)));
    }

    [Fact]
    public async Task PullCountsGoWithADeletedRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var manifest = Manifest("m1");
        await Artifacts.PutManifestAsync(app.Id, manifest, [], null, "latest", T0, Ct);
        await PullStats.RecordPullsAsync([new PullCount(app.Id, manifest.Digest, Hour, 5, Now)], Ct);
        Assert.Equal(1, await CountRowsAsync("pull_counts"));

        Assert.True(await Tenants.DeleteRegistryAsync(registry.Id, Now, Ct));
        await PurgeRegistryAsync(registry.Id, batchSize: 1000);
        Assert.Equal(0, await CountRowsAsync("pull_counts"));

        // The same names again are a new registry and repository, with no pulls of their own.
        var project = (await Tenants.GetProjectAsync("acme", Ct))!;
        var again = await Tenants.CreateRegistryAsync(new NewRegistry("id-web-2", "web", project.Id, "hash", 1L << 30, T0), Ct);
        var appAgain = await Artifacts.EnsureRepositoryAsync(again.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(appAgain.Id, manifest, [], null, "latest", T0, Ct);
        Assert.Equal([new RepositoryPullStats("app", 0, null, 0, 0)], await PullStats.GetRepositoryPullStatsAsync(again.Id, Now, Ct));
        Assert.Equal([new ManifestPullStats(manifest.Digest, 0, null)], await PullStats.GetManifestPullStatsAsync(appAgain.Id, Ct));
        Assert.Empty(await PullStats.GetRepositoryPullStatsAsync(registry.Id, Now, Ct));

        // A batch counted before the delete and flushed after it keeps its other rows and drops the lost repository's.
        await PullStats.RecordPullsAsync(
            [new PullCount(app.Id, manifest.Digest, Hour, 5, Now), new PullCount(appAgain.Id, manifest.Digest, Hour, 2, Now)], Ct);
        Assert.Equal(1, await CountRowsAsync("pull_counts"));
        Assert.Equal([new ManifestPullStats(manifest.Digest, 2, Now)], await PullStats.GetManifestPullStatsAsync(appAgain.Id, Ct));
    }
}
