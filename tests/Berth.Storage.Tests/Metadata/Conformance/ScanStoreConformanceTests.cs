using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IScanStore"/>: the scan queue, claims and outcomes, and what a scan goes with.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class ScanStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task AQueuedScanIsRecordedWithOnlyItsQueueTime()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        Assert.Null(await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[0].Digest, T0, Ct));

        Assert.Equal(
            new ScanRecord(repository.Id, manifests[0].Digest, ScanStatus.Queued, null, T0, null, null, null, null, null),
            await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct));
    }

    [Fact]
    public async Task AScanOnPushIsQueuedOnlyForAManifestWithoutOne()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;

        Assert.True(await Scans.QueueNewScanAsync(repository.Id, digest, T0, Ct));
        Assert.False(await Scans.QueueNewScanAsync(repository.Id, digest, T0.AddMinutes(1), Ct));
        Assert.Equal(T0, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.QueuedAt);

        // Finished: a re-push leaves it (and its report) alone; only an explicit queue scans it again.
        var claim = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0, Ct))!;
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(3)), Ct));
        Assert.False(await Scans.QueueNewScanAsync(repository.Id, digest, T0.AddMinutes(4), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, "report"), (done.Status, done.ReportJson));

        Assert.False(await Scans.QueueNewScanAsync(repository.Id, Digest("missing"), T0, Ct));
        Assert.Equal(1, await CountRowsAsync("scans"));
    }

    [Fact]
    public async Task AScanNeedsAnExistingManifest()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");

        Assert.False(await Scans.QueueScanAsync(repository.Id, Digest("missing"), T0, Ct));
        Assert.False(await Scans.QueueScanAsync(repository.Id + 1000, manifests[0].Digest, T0, Ct));
        Assert.Equal(0, await CountRowsAsync("scans"));
        Assert.Null(await Scans.GetScanAsync(repository.Id, Digest("missing"), Ct));
    }

    [Fact]
    public async Task QueueingAQueuedOrRunningScanAgainLeavesItAsItIs()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(1), Ct));
        Assert.Equal((ScanStatus.Queued, T0), await StatusAndQueuedAtAsync(repository.Id, digest));

        var claim = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0.AddMinutes(2) - ClaimTimeout, Ct))!;
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(3), Ct));
        var running = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Running, T0, T0.AddMinutes(2)), (running.Status, running.QueuedAt, running.StartedAt));

        // Still the scanner's, and not queued behind its own run.
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(3), T0.AddMinutes(3) - ClaimTimeout, Ct));
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(4)), Ct));
        Assert.Equal(ScanStatus.Done, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.Status);
    }

    [Fact]
    public async Task AFinishedScanQueuedAgainKeepsItsLastResultsUntilTheNextLand()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var version = await Advisories.BumpAdvisoryVersionAsync(Ct);
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(version, "report-1", T0.AddMinutes(1)), Ct));
        var done = new ScanRecord(repository.Id, digest, ScanStatus.Done, null, T0, T0, T0.AddMinutes(1), version, Summary, "report-1");
        Assert.Equal(done, await Scans.GetScanAsync(repository.Id, digest, Ct));

        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(2), Ct));
        Assert.Equal(done with { Status = ScanStatus.Queued, QueuedAt = T0.AddMinutes(2) }, await Scans.GetScanAsync(repository.Id, digest, Ct));

        // The next run replaces them.
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(3), T0, Ct))!;
        Assert.Equal(digest, again.ManifestDigest);
        var summary = new ScanSummary(0, 0, 0, 0, 1);
        Assert.True(await Scans.CompleteScanAsync(again, DoneOutcome(version, "report-2", T0.AddMinutes(4)) with { Summary = summary }, Ct));
        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Done, null, T0.AddMinutes(2), T0.AddMinutes(3), T0.AddMinutes(4), version, summary, "report-2"),
            await Scans.GetScanAsync(repository.Id, digest, Ct));

        // A failed run too: it is stored as it ended, with its reason, and queued again keeps that.
        var third = await QueueAndClaimAsync(repository.Id, digest, T0.AddMinutes(5));
        Assert.True(await Scans.CompleteScanAsync(third, FailedOutcome("manifest blob missing", T0.AddMinutes(6)), Ct));
        var failed = new ScanRecord(repository.Id, digest, ScanStatus.Failed, "manifest blob missing", T0.AddMinutes(5), T0.AddMinutes(5), T0.AddMinutes(6), null, null, null);
        Assert.Equal(failed, await Scans.GetScanAsync(repository.Id, digest, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(7), Ct));
        Assert.Equal(failed with { Status = ScanStatus.Queued, QueuedAt = T0.AddMinutes(7) }, await Scans.GetScanAsync(repository.Id, digest, Ct));
    }

    [Fact]
    public async Task ClaimsTakeTheLongestQueuedScanFirst()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2", "m3");
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[0].Digest, T0.AddSeconds(2), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[2].Digest, T0.AddSeconds(1), Ct));

        var now = T0.AddMinutes(1);
        var claimed = new List<string>();
        while (await Scans.ClaimScanAsync(now, now - ClaimTimeout, Ct) is { } claim)
        {
            claimed.Add(claim.ManifestDigest);
        }

        Assert.Equal([manifests[1].Digest, manifests[2].Digest, manifests[0].Digest], claimed);
    }

    [Fact]
    public async Task AClaimCarriesWhatTheScannerNeedsAndMarksTheScanRunning()
    {
        var (registry, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        Assert.Null(await Scans.ClaimScanAsync(T0, T0 - ClaimTimeout, Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0, Ct));

        var claim = await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct);

        Assert.NotNull(claim);
        Assert.Equal((registry.Id, repository.Id, "app", digest, T0.AddMinutes(1)),
            (claim.RegistryId, claim.RepositoryId, claim.Repository, claim.ManifestDigest, claim.ClaimedAt));
        Assert.Matches("^[0-9a-f]{32}$", claim.ClaimId);
        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Running, null, T0, T0.AddMinutes(1), null, null, null, null),
            await Scans.GetScanAsync(repository.Id, digest, Ct));
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct));
    }

    [Fact]
    public async Task ConcurrentClaimsOfOneQueuedScanHaveExactlyOneWinner()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;

        // Several rounds, the claimers released together each time: a race has more than one chance to show.
        for (var round = 0; round < 5; round++)
        {
            var now = T0.AddMinutes(round);
            Assert.True(await Scans.QueueScanAsync(repository.Id, digest, now, Ct));
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claiming = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await Scans.ClaimScanAsync(now, now - ClaimTimeout, Ct);
            })).ToList();
            start.SetResult();
            var claims = await Task.WhenAll(claiming);

            var winner = Assert.Single(claims, c => c is not null);
            Assert.Equal(digest, winner!.ManifestDigest);
            Assert.True(await Scans.CompleteScanAsync(winner, DoneOutcome(0, $"report-{round}", now), Ct));
        }
    }

    [Fact]
    public async Task ConcurrentScannersShareTheQueueWithoutTakingAScanTwice()
    {
        var seeds = Enumerable.Range(0, 12).Select(i => $"m{i}").ToArray();
        var (_, repository, manifests) = await NewScannedRepositoryAsync(seeds);
        for (var i = 0; i < manifests.Length; i++)
        {
            Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[i].Digest, T0.AddSeconds(i), Ct));
        }

        var perScanner = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var claims = new List<ScanClaim>();
            while (await Scans.ClaimScanAsync(T0.AddMinutes(1), T0.AddMinutes(1) - ClaimTimeout, Ct) is { } claim)
            {
                claims.Add(claim);
            }

            return claims;
        })));

        var all = perScanner.SelectMany(c => c).ToList();
        Assert.Equal(manifests.Select(m => m.Digest).Order(StringComparer.Ordinal), all.Select(c => c.ManifestDigest).Order(StringComparer.Ordinal));
        Assert.Equal(all.Count, all.Select(c => c.ClaimId).Distinct().Count());
    }

    [Fact]
    public async Task ARunningScanWhoseClaimWentStaleIsClaimedAgain()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var first = await QueueAndClaimAsync(repository.Id, digest, T0);

        // Claimed at T0: not before T0, so not stale yet.
        Assert.Null(await Scans.ClaimScanAsync(T0.AddMinutes(5), T0, Ct));

        var second = await Scans.ClaimScanAsync(T0.AddMinutes(11), T0.AddMinutes(1), Ct);
        Assert.NotNull(second);
        Assert.Equal((digest, T0.AddMinutes(11)), (second.ManifestDigest, second.ClaimedAt));
        Assert.NotEqual(first.ClaimId, second.ClaimId);
        Assert.Equal(T0.AddMinutes(11), (await Scans.GetScanAsync(repository.Id, digest, Ct))!.StartedAt);

        // The scanner that died (or merely stalled) no longer holds it; the new one does.
        Assert.False(await Scans.CompleteScanAsync(first, DoneOutcome(0, "late", T0.AddMinutes(12)), Ct));
        Assert.True(await Scans.CompleteScanAsync(second, DoneOutcome(0, "fresh", T0.AddMinutes(13)), Ct));
        Assert.Equal("fresh", (await Scans.GetScanAsync(repository.Id, digest, Ct))!.ReportJson);
    }

    [Fact]
    public async Task CompletingNeedsTheClaimThatStillHolds()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2");
        var digest = manifests[0].Digest;
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        Assert.False(await Scans.CompleteScanAsync(claim with { ClaimId = Guid.NewGuid().ToString("N") }, DoneOutcome(0, "forged", T0), Ct));
        var running = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Running, (string?)null), (running.Status, running.ReportJson));

        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.False(await Scans.CompleteScanAsync(claim, FailedOutcome("again", T0.AddMinutes(2)), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, "report"), (done.Status, done.ReportJson));

        // A scan whose manifest went meanwhile.
        var gone = await QueueAndClaimAsync(repository.Id, manifests[1].Digest, T0);
        Assert.True(await DeleteManifestNowAsync(repository.Id, manifests[1].Digest, Ct));
        Assert.False(await Scans.CompleteScanAsync(gone, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.Null(await Scans.GetScanAsync(repository.Id, manifests[1].Digest, Ct));
    }

    [Fact]
    public async Task AnOutcomeIsDoneOrFailedOrAHandBack()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        await Assert.ThrowsAsync<ArgumentException>(
            () => Scans.CompleteScanAsync(claim, DoneOutcome(0, "r", T0) with { Status = ScanStatus.Running }, Ct));
        Assert.Equal(ScanStatus.Running, (await Scans.GetScanAsync(repository.Id, digest, Ct))!.Status);

        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "first", T0.AddMinutes(1)), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, digest, T0.AddMinutes(2), Ct));
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(3), T0, Ct))!;

        // Handed back (its scanner shuts down): queued as it was, previous report kept, claimable at once by anyone.
        var handBack = new ScanOutcome(ScanStatus.Queued, null, null, null, null, T0.AddMinutes(4));
        Assert.True(await Scans.CompleteScanAsync(again, handBack, Ct));
        Assert.False(await Scans.CompleteScanAsync(again, handBack, Ct));
        var queued = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Queued, "first"), (queued.Status, queued.ReportJson));
        var next = await Scans.ClaimScanAsync(T0.AddMinutes(5), T0, Ct);
        Assert.Equal(digest, next?.ManifestDigest);
        Assert.NotEqual(again.ClaimId, next!.ClaimId);
    }

    [Fact]
    public async Task ADoneScanAgainstAnOlderAdvisoryVersionIsStoredQueuedWithItsReport()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("m1");
        var digest = manifests[0].Digest;
        var matched = await Advisories.BumpAdvisoryVersionAsync(Ct);
        var claim = await QueueAndClaimAsync(repository.Id, digest, T0);

        // An import landed while the scan ran.
        var current = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(matched, "report-1", T0.AddMinutes(1)), Ct));

        Assert.Equal(
            new ScanRecord(repository.Id, digest, ScanStatus.Queued, null, T0.AddMinutes(1), T0, T0.AddMinutes(1), matched, Summary, "report-1"),
            await Scans.GetScanAsync(repository.Id, digest, Ct));

        // Claimed again, and done against the current version it stays done.
        var again = (await Scans.ClaimScanAsync(T0.AddMinutes(2), T0, Ct))!;
        Assert.Equal(digest, again.ManifestDigest);
        Assert.True(await Scans.CompleteScanAsync(again, DoneOutcome(current, "report-2", T0.AddMinutes(3)), Ct));
        var done = (await Scans.GetScanAsync(repository.Id, digest, Ct))!;
        Assert.Equal((ScanStatus.Done, (long?)current, "report-2"), (done.Status, done.AdvisoryVersion, done.ReportJson));
    }

    [Fact]
    public async Task QueueOutdatedScansQueuesAgainTheFinishedScansOfOlderVersions()
    {
        var (_, repository, manifests) = await NewScannedRepositoryAsync("done-v1", "done-v2", "failed-v1", "failed-unmatched", "running", "queued");
        var digests = manifests.Select(m => m.Digest).ToArray();
        var v1 = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[0], T0), DoneOutcome(v1, "r0", T0), Ct));
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[2], T0),
            FailedOutcome("timeout", T0) with { AdvisoryVersion = v1 }, Ct));
        var v2 = await Advisories.BumpAdvisoryVersionAsync(Ct);
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[1], T0), DoneOutcome(v2, "r1", T0), Ct));
        Assert.True(await Scans.CompleteScanAsync(await QueueAndClaimAsync(repository.Id, digests[3], T0), FailedOutcome("unreadable", T0), Ct));
        await QueueAndClaimAsync(repository.Id, digests[4], T0);
        Assert.True(await Scans.QueueScanAsync(repository.Id, digests[5], T0, Ct));

        Assert.Equal(2, await Scans.QueueOutdatedScansAsync(v2, T0.AddHours(1), Ct));

        Assert.Equal((ScanStatus.Queued, T0.AddHours(1)), await StatusAndQueuedAtAsync(repository.Id, digests[0]));
        Assert.Equal("r0", (await Scans.GetScanAsync(repository.Id, digests[0], Ct))!.ReportJson);
        Assert.Equal((ScanStatus.Done, T0), await StatusAndQueuedAtAsync(repository.Id, digests[1]));
        Assert.Equal((ScanStatus.Queued, T0.AddHours(1)), await StatusAndQueuedAtAsync(repository.Id, digests[2]));
        Assert.Equal((ScanStatus.Failed, T0), await StatusAndQueuedAtAsync(repository.Id, digests[3]));
        Assert.Equal((ScanStatus.Running, T0), await StatusAndQueuedAtAsync(repository.Id, digests[4]));
        Assert.Equal((ScanStatus.Queued, T0), await StatusAndQueuedAtAsync(repository.Id, digests[5]));

        Assert.Equal(0, await Scans.QueueOutdatedScansAsync(v2, T0.AddHours(2), Ct));
        Assert.Equal(1, await Scans.QueueOutdatedScansAsync(v2 + 1, T0.AddHours(2), Ct));
        Assert.Equal((ScanStatus.Queued, T0.AddHours(2)), await StatusAndQueuedAtAsync(repository.Id, digests[1]));
    }

    [Fact]
    public async Task AScanGoesWithItsManifestItsRepositoryAndItsRegistry()
    {
        var (web, app, appManifests) = await NewScannedRepositoryAsync("m1", "m2");
        var db = await Artifacts.EnsureRepositoryAsync(web.Id, "db", T0, Ct);
        await Artifacts.PutManifestAsync(db.Id, Manifest("m3"), [], null, null, T0, Ct);
        var api = await NewRegistryAsync("acme", "api");
        var other = await Artifacts.EnsureRepositoryAsync(api.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        var claim = await QueueAndClaimAsync(app.Id, appManifests[0].Digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0), Ct));
        Assert.True(await Scans.QueueScanAsync(app.Id, appManifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(db.Id, Manifest("m3").Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(other.Id, Manifest("m1").Digest, T0, Ct));
        Assert.Equal(4, await CountRowsAsync("scans"));

        Assert.True(await DeleteManifestNowAsync(app.Id, appManifests[0].Digest, Ct));
        Assert.Equal(3, await CountRowsAsync("scans"));
        Assert.Null(await Scans.GetScanAsync(app.Id, appManifests[0].Digest, Ct));

        await Artifacts.DeleteRepositoryAsync(web.Id, app.Id, T0, Ct);
        await PurgeRepositoryAsync(app.Id, batchSize: 1000);
        Assert.Equal(2, await CountRowsAsync("scans"));
        Assert.Empty(await Scans.ListScansAsync(app.Id, Ct));

        Assert.True(await Tenants.DeleteRegistryAsync(web.Id, T0, Ct));
        await PurgeRegistryAsync(web.Id, batchSize: 1000);
        Assert.Equal(1, await CountRowsAsync("scans"));
        Assert.Empty(await Scans.ListScansAsync(db.Id, Ct));

        // Another registry's scan of the same digest stays.
        Assert.Equal(ScanStatus.Queued, (await Scans.GetScanAsync(other.Id, Manifest("m1").Digest, Ct))?.Status);

        // The same manifest pushed again starts with no scan.
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        Assert.True(await DeleteManifestNowAsync(other.Id, Manifest("m1").Digest, Ct));
        await Artifacts.PutManifestAsync(other.Id, Manifest("m1"), [], null, null, T0, Ct);
        Assert.Null(await Scans.GetScanAsync(other.Id, Manifest("m1").Digest, Ct));
    }

    [Fact]
    public async Task ListScansGivesEveryScanOfTheRepositoryWithoutReports()
    {
        var (registry, repository, manifests) = await NewScannedRepositoryAsync("m1", "m2", "m3");
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        await Artifacts.PutManifestAsync(db.Id, Manifest("m4"), [], null, null, T0, Ct);
        var claim = await QueueAndClaimAsync(repository.Id, manifests[0].Digest, T0);
        Assert.True(await Scans.CompleteScanAsync(claim, DoneOutcome(0, "report", T0.AddMinutes(1)), Ct));
        Assert.True(await Scans.QueueScanAsync(repository.Id, manifests[1].Digest, T0, Ct));
        Assert.True(await Scans.QueueScanAsync(db.Id, Manifest("m4").Digest, T0, Ct));

        var listed = await Scans.ListScansAsync(repository.Id, Ct);

        var done = (await Scans.GetScanAsync(repository.Id, manifests[0].Digest, Ct))!;
        Assert.Equal("report", done.ReportJson);
        var queued = (await Scans.GetScanAsync(repository.Id, manifests[1].Digest, Ct))!;
        Assert.Equal(
            new[] { done with { ReportJson = null }, queued }.OrderBy(s => s.ManifestDigest, StringComparer.Ordinal),
            listed.OrderBy(s => s.ManifestDigest, StringComparer.Ordinal));
        Assert.Empty(await Scans.ListScansAsync(-1, Ct));
    }

    [Fact]
    public async Task AnIndexCountsEachAdvisoryOnceOverItsPlatformsAtItsWorstSeverity()
    {
        var (_, repository, platforms) = await NewScannedRepositoryAsync("amd64", "arm64", "unscanned");
        var index = await PutIndexAsync(repository.Id, "index", null, platforms[0], platforms[1]);
        var unscannedIndex = await PutIndexAsync(repository.Id, "unscanned-index", null, platforms[2]);
        await Advisories.BumpAdvisoryVersionAsync(Ct);

        // CVE-1 is on both platforms (high on one, critical on the other); CVE-2 is listed twice for one image (two
        // packages match it): each is one finding.
        await CompleteAsync(repository.Id, platforms[0].Digest, 1,
            new ScanFinding("CVE-1", ScanSeverity.High), new ScanFinding("CVE-2", ScanSeverity.Low), new ScanFinding("CVE-2", ScanSeverity.Medium));
        await CompleteAsync(repository.Id, platforms[1].Digest, 1, new ScanFinding("CVE-1", ScanSeverity.Critical), new ScanFinding("CVE-3", ScanSeverity.Unknown));
        Assert.Equal(4, await CountRowsAsync("scan_findings"));

        var summaries = await Scans.GetIndexSummariesAsync(repository.Id, [index, unscannedIndex, Digest("missing")], Ct);
        Assert.Equal([index], summaries.Keys);
        Assert.Equal(new ScanSummary(1, 0, 1, 0, 1), summaries[index]);
        Assert.Empty(await Scans.GetIndexSummariesAsync(repository.Id, [], Ct));

        // A run that fails takes its findings with it; one with none leaves the index listed, with zeros.
        var failing = await QueueAndClaimAsync(repository.Id, platforms[1].Digest, T0.AddMinutes(10));
        Assert.True(await Scans.CompleteScanAsync(failing, FailedOutcome("gone", T0.AddMinutes(11)), Ct));
        Assert.Equal(new ScanSummary(0, 1, 1, 0, 0), (await Scans.GetIndexSummariesAsync(repository.Id, [index], Ct))[index]);
        await CompleteAsync(repository.Id, platforms[0].Digest, 1);
        Assert.Equal(ScanSummary.Empty, (await Scans.GetIndexSummariesAsync(repository.Id, [index], Ct))[index]);
        Assert.Equal(0, await CountRowsAsync("scan_findings"));
    }

    [Fact]
    public async Task ARegistrySummaryCountsImagesAdvisoriesAndTheMostAffectedInTheDatabase()
    {
        var (registry, repository, images) = await NewScannedRepositoryAsync("amd64", "arm64", "solo", "clean", "unchecked");
        var index = await PutIndexAsync(repository.Id, "index", "1.0", images[0], images[1]);
        foreach (var tag in new[] { "latest", "a", "b", "c", "d", "e" })
        {
            await PutIndexAsync(repository.Id, "index", tag, images[0], images[1]);
        }

        await Artifacts.PutManifestAsync(repository.Id, images[2], [], null, "solo", T0, Ct);

        // Scanned while the advisory database was still empty: not checked.
        await CompleteAsync(repository.Id, images[4].Digest, ScanRecord.NoAdvisoryData);
        await Advisories.BumpAdvisoryVersionAsync(Ct);
        await CompleteAsync(repository.Id, images[0].Digest, 1, new ScanFinding("CVE-1", ScanSeverity.High), new ScanFinding("CVE-2", ScanSeverity.Low));
        await CompleteAsync(repository.Id, images[1].Digest, 1, new ScanFinding("CVE-1", ScanSeverity.Critical), new ScanFinding("CVE-3", ScanSeverity.Unknown));
        await CompleteAsync(repository.Id, images[2].Digest, 1, new ScanFinding("CVE-1", ScanSeverity.High), new ScanFinding("CVE-9", ScanSeverity.Critical));
        await CompleteAsync(repository.Id, images[3].Digest, 1);

        // Not counted: a deleted repository's images (until purged), and another registry's.
        var gone = await Artifacts.EnsureRepositoryAsync(registry.Id, "gone", T0, Ct);
        await Artifacts.PutManifestAsync(gone.Id, Manifest("gone"), [], null, null, T0, Ct);
        await CompleteAsync(gone.Id, Manifest("gone").Digest, 1, new ScanFinding("CVE-GONE", ScanSeverity.Critical));
        Assert.True(await Artifacts.DeleteRepositoryAsync(registry.Id, gone.Id, T0, Ct));
        var other = await NewRegistryAsync("acme", "other");
        var elsewhere = await Artifacts.EnsureRepositoryAsync(other.Id, "app", T0, Ct);
        await Artifacts.PutManifestAsync(elsewhere.Id, Manifest("elsewhere"), [], null, null, T0, Ct);
        await CompleteAsync(elsewhere.Id, Manifest("elsewhere").Digest, 1, new ScanFinding("CVE-OTHER", ScanSeverity.Critical));

        var summary = await Scans.GetRegistryVulnerabilitiesAsync(registry.Id, 10, Ct);

        // Four images: the index (with its two platforms), solo, clean and the unchecked one. Each advisory once over
        // the registry at its worst: CVE-1 and CVE-9 critical, CVE-2 low, CVE-3 unknown.
        Assert.Equal((4, 1, new ScanSummary(2, 0, 0, 1, 1)), (summary.Images, summary.NotChecked, summary.Summary));

        // Most severe first: solo (1 critical, 1 high) before the index (1 critical, 1 low, 1 unknown); images with no
        // findings are not listed. Tags: the first few in name order, and how many there are.
        Assert.Equal(
            [("app", images[2].Digest, "solo", 1, new ScanSummary(1, 1, 0, 0, 0)), ("app", index, "1.0,a,b,c,d", 7, new ScanSummary(1, 0, 0, 1, 1))],
            summary.MostAffected.Select(a => (a.Repository, a.Digest, string.Join(',', a.Tags), a.TagCount, a.Summary)));

        Assert.Equal([images[2].Digest], (await Scans.GetRegistryVulnerabilitiesAsync(registry.Id, 1, Ct)).MostAffected.Select(a => a.Digest));
        Assert.Equal(new RegistryVulnerabilities(0, 0, ScanSummary.Empty, []),
            await Scans.GetRegistryVulnerabilitiesAsync((await NewRegistryAsync("acme", "empty")).Id, 10, Ct));
    }

    // ---- helpers

    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    private static readonly ScanSummary Summary = new(1, 2, 3, 4, 5);

    private static ScanOutcome DoneOutcome(long advisoryVersion, string report, DateTimeOffset finishedAt) =>
        new(ScanStatus.Done, null, advisoryVersion, Summary, report, finishedAt);

    private static ScanOutcome FailedOutcome(string reason, DateTimeOffset finishedAt) =>
        new(ScanStatus.Failed, reason, null, null, null, finishedAt);

    /// <summary>Registry "web" with repository "app" holding one manifest per seed (no scans yet).</summary>
    private async Task<(RegistryRecord Registry, RepositoryRecord Repository, ManifestRecord[] Manifests)> NewScannedRepositoryAsync(params string[] seeds)
    {
        var registry = await NewRegistryAsync("acme", "web");
        var repository = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var manifests = seeds.Select(seed => Manifest(seed)).ToArray();
        foreach (var manifest in manifests)
        {
            await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, null, T0, Ct);
        }

        return (registry, repository, manifests);
    }

    /// <summary>Runs a scan of the manifest to Done against <paramref name="advisoryVersion"/>, with these findings.</summary>
    private async Task CompleteAsync(long repositoryId, string digest, long advisoryVersion, params ScanFinding[] findings)
    {
        var claim = await QueueAndClaimAsync(repositoryId, digest, T0);
        // The summary counts the findings as a scanner does: each advisory once, at its worst severity.
        var worst = findings.GroupBy(f => f.AdvisoryId).Select(g => g.Max(f => f.Severity)).ToList();
        int Count(ScanSeverity level) => worst.Count(s => s == level);
        var summary = new ScanSummary(Count(ScanSeverity.Critical), Count(ScanSeverity.High), Count(ScanSeverity.Medium), Count(ScanSeverity.Low), Count(ScanSeverity.Unknown));
        var outcome = DoneOutcome(advisoryVersion, "report", T0) with { Summary = summary, Findings = findings };
        Assert.True(await Scans.CompleteScanAsync(claim, outcome, Ct));
        Assert.Equal(ScanStatus.Done, (await Scans.GetScanAsync(repositoryId, digest, Ct))?.Status);
    }

    /// <summary>Puts an index listing <paramref name="children"/> (already in the repository), tagged <paramref name="tag"/>; its digest.</summary>
    private async Task<string> PutIndexAsync(long repositoryId, string seed, string? tag, params ManifestRecord[] children)
    {
        var index = Manifest(seed) with { MediaType = "application/vnd.oci.image.index.v1+json" };
        await Artifacts.PutManifestAsync(repositoryId, index, [.. children.Select(c => new ManifestLink(c.Digest, true, c.Content.Length))], null, tag, T0, Ct);
        return index.Digest;
    }

    /// <summary>Queues the manifest's scan and claims it, at <paramref name="at"/>; nothing else may be waiting.</summary>
    private async Task<ScanClaim> QueueAndClaimAsync(long repositoryId, string digest, DateTimeOffset at)
    {
        Assert.True(await Scans.QueueScanAsync(repositoryId, digest, at, Ct));
        var claim = await Scans.ClaimScanAsync(at, at - ClaimTimeout, Ct);
        Assert.NotNull(claim);
        Assert.Equal(digest, claim.ManifestDigest);
        return claim;
    }

    private async Task<(ScanStatus Status, DateTimeOffset QueuedAt)> StatusAndQueuedAtAsync(long repositoryId, string digest)
    {
        var scan = await Scans.GetScanAsync(repositoryId, digest, Ct);
        Assert.NotNull(scan);
        return (scan.Status, scan.QueuedAt);
    }
}
