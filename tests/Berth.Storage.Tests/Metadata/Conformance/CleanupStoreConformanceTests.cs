using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="ICleanupStore"/>: policies, the due-policy claim, runs (one running per registry, stale
/// runs interrupted), and the per-repository reads a cleanup plan is made from.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class CleanupStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    private ICleanupStore Cleanup => (ICleanupStore)Lifecycle;

    [Fact]
    public async Task APolicyIsStoredReplacedAndDeletedAndNeverForAMissingRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Null(await Cleanup.GetCleanupPolicyAsync(registry.Id, Ct));

        Assert.True(await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord(registry.Id, "{\"rules\":[]}", "daily", T0.AddDays(1), T0), Ct));
        Assert.True(await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord(registry.Id, "{\"rules\":[1]}", "off", null, T0.AddHours(1)), Ct));
        Assert.Equal(new CleanupPolicyRecord(registry.Id, "{\"rules\":[1]}", "off", null, T0.AddHours(1)), await Cleanup.GetCleanupPolicyAsync(registry.Id, Ct));

        Assert.False(await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord("missing", "{}", "off", null, T0), Ct));
        Assert.True(await Cleanup.DeleteCleanupPolicyAsync(registry.Id, Ct));
        Assert.False(await Cleanup.DeleteCleanupPolicyAsync(registry.Id, Ct));
        Assert.Null(await Cleanup.GetCleanupPolicyAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task DuePoliciesAreListedOldestFirstAndExactlyOneClaimWins()
    {
        var web = await NewRegistryAsync("acme", "web");
        var api = await NewRegistryAsync("acme", "api");
        var off = await NewRegistryAsync("acme", "off");
        await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord(web.Id, "{}", "daily", T0.AddMinutes(2), T0), Ct);
        await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord(api.Id, "{}", "* * * * *", T0.AddMinutes(1), T0), Ct);
        await Cleanup.SetCleanupPolicyAsync(new CleanupPolicyRecord(off.Id, "{}", "off", null, T0), Ct);

        Assert.Equal([api.Id, web.Id], (await Cleanup.ListDueCleanupPoliciesAsync(T0.AddMinutes(5), 10, Ct)).Select(p => p.RegistryId));
        Assert.Equal([api.Id], (await Cleanup.ListDueCleanupPoliciesAsync(T0.AddMinutes(1), 10, Ct)).Select(p => p.RegistryId));

        var due = (await Cleanup.GetCleanupPolicyAsync(web.Id, Ct))!.NextRunAt!.Value;
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Cleanup.ClaimCleanupPolicyAsync(web.Id, due, T0.AddDays(1), Ct)));
        Assert.Single(claims, c => c);
        Assert.Equal(T0.AddDays(1), (await Cleanup.GetCleanupPolicyAsync(web.Id, Ct))!.NextRunAt);
        Assert.Equal([api.Id], (await Cleanup.ListDueCleanupPoliciesAsync(T0.AddMinutes(5), 10, Ct)).Select(p => p.RegistryId));
    }

    [Fact]
    public async Task ARegistryRunsOneCleanupAtATimeAndARunWhoseNodeDiedIsInterrupted()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("acme", "api");

        var first = await Cleanup.StartCleanupRunAsync(registry.Id, "manual", T0, T0.AddMinutes(-5), Ct);
        Assert.NotNull(first);
        Assert.Equal(("manual", "running", T0, (DateTimeOffset?)null), (first.Trigger, first.Status, first.StartedAt, first.FinishedAt));
        Assert.Null(await Cleanup.StartCleanupRunAsync(registry.Id, "schedule", T0.AddSeconds(1), T0.AddMinutes(-5), Ct));
        Assert.NotNull(await Cleanup.StartCleanupRunAsync(other.Id, "schedule", T0.AddSeconds(1), T0.AddMinutes(-5), Ct));

        // The heartbeat keeps it alive; once it stops, a later start interrupts it and takes over.
        await Cleanup.HeartbeatCleanupRunsAsync([first.Id], T0.AddMinutes(3), Ct);
        Assert.Null(await Cleanup.StartCleanupRunAsync(registry.Id, "manual", T0.AddMinutes(4), T0.AddMinutes(2), Ct));
        var second = await Cleanup.StartCleanupRunAsync(registry.Id, "manual", T0.AddMinutes(10), T0.AddMinutes(5), Ct);
        Assert.NotNull(second);
        var interrupted = (await Cleanup.GetCleanupRunAsync(registry.Id, first.Id, Ct))!;
        Assert.Equal(("interrupted", (DateTimeOffset?)T0.AddMinutes(10)), (interrupted.Status, interrupted.FinishedAt));

        // A late finish of the interrupted run changes nothing.
        Assert.False(await Cleanup.FinishCleanupRunAsync(first.Id, new CleanupRunOutcome("succeeded", T0.AddMinutes(11), 1, 1, 0, 1, []), Ct));
        Assert.True(await Cleanup.FinishCleanupRunAsync(second.Id, new CleanupRunOutcome("failed", T0.AddMinutes(12), 3, 2, 1, 4096, ["app: boom", "db: \"quoted\""]), Ct));
        var finished = (await Cleanup.GetCleanupRunAsync(registry.Id, second.Id, Ct))!;
        Assert.Equal(("failed", (DateTimeOffset?)T0.AddMinutes(12), 3L, 2L, 1L, 4096L), (finished.Status, finished.FinishedAt, finished.TagsDeleted,
            finished.ManifestsDeleted, finished.Skipped, finished.BytesFreed));
        Assert.Equal(["app: boom", "db: \"quoted\""], finished.Errors);
        Assert.Null(await Cleanup.GetCleanupRunAsync(other.Id, second.Id, Ct));
    }

    [Fact]
    public async Task StaleRunsOfEveryRegistryAreInterruptedAndRunsAreListedNewestFirst()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var run = (await Cleanup.StartCleanupRunAsync(registry.Id, "manual", T0.AddMinutes(i), T0.AddMinutes(-10), Ct))!;
            await Cleanup.FinishCleanupRunAsync(run.Id, new CleanupRunOutcome("succeeded", T0.AddMinutes(i), 0, 0, 0, 0, []), Ct);
            ids.Add(run.Id);
        }

        var running = (await Cleanup.StartCleanupRunAsync(registry.Id, "schedule", T0.AddMinutes(5), T0, Ct))!;
        Assert.Equal(0, await Cleanup.InterruptStaleCleanupRunsAsync(T0.AddMinutes(5), T0.AddMinutes(6), Ct));
        Assert.Equal(1, await Cleanup.InterruptStaleCleanupRunsAsync(T0.AddMinutes(6), T0.AddMinutes(7), Ct));
        Assert.Equal("interrupted", (await Cleanup.GetCleanupRunAsync(registry.Id, running.Id, Ct))!.Status);

        ids.Add(running.Id);
        ids.Reverse();
        Assert.Equal(ids, (await Cleanup.ListCleanupRunsAsync(registry.Id, null, 10, Ct)).Select(r => r.Id));
        Assert.Equal(ids.Take(2), (await Cleanup.ListCleanupRunsAsync(registry.Id, null, 2, Ct)).Select(r => r.Id));
        Assert.Equal(ids.Skip(2), (await Cleanup.ListCleanupRunsAsync(registry.Id, ids[1], 10, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task ARepositorysContentsCarryPushTimesLastPullsAndIndexLinks()
    {
        var repository = await NewRepositoryAsync();
        var layer = Digest("layer");
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, layer, 300, T0, null, Ct);
        var child = Manifest("child");
        var index = Manifest("index");
        var signature = Manifest("signature", child.Digest, "application/vnd.example.signature");
        await Artifacts.PutManifestAsync(repository.Id, child, [new ManifestLink(layer, false, 300)], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, index, [new ManifestLink(child.Digest, true, child.Content.Length)], null, "multi", T0.AddHours(1), Ct);
        await Artifacts.PutManifestAsync(repository.Id, signature, [], null, null, T0, Ct);
        await PullStats.RecordPullsAsync(
            [
                new PullCount(repository.Id, child.Digest, Hour, 1, Hour.AddMinutes(5)),
                new PullCount(repository.Id, child.Digest, Hour.AddHours(-2), 4, Hour.AddMinutes(-100)),
            ], Ct);

        var contents = await Cleanup.GetCleanupContentsAsync(repository.Id, Ct);

        Assert.Equal([new CleanupTag("multi", index.Digest, T0.AddHours(1)), new CleanupTag("v1", child.Digest, T0)],
            contents.Tags.OrderBy(t => t.Name, StringComparer.Ordinal));
        Assert.Equal(
            new[]
            {
                new CleanupManifest(child.Digest, T0, null, null, child.Content.Length, Hour.AddMinutes(5)),
                new CleanupManifest(index.Digest, T0, null, null, index.Content.Length, null),
                new CleanupManifest(signature.Digest, T0, null, child.Digest, signature.Content.Length, null),
            }.OrderBy(m => m.Digest, StringComparer.Ordinal),
            contents.Manifests.OrderBy(m => m.Digest, StringComparer.Ordinal));
        Assert.Equal([new CleanupIndexLink(index.Digest, child.Digest)], contents.IndexLinks);
        Assert.Equal([repository], await Cleanup.ListCleanupRepositoriesAsync(repository.RegistryId, Ct));
    }

    [Fact]
    public async Task BlobReferencesSpanEveryRepositoryOfTheRegistryOnly()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var elsewhere = await NewRegistryAsync("globex", "ops");
        var ops = await Artifacts.EnsureRepositoryAsync(elsewhere.Id, "app", T0, Ct);
        var (shared, own) = (Digest("shared"), Digest("own"));
        foreach (var (repository, digest) in new[] { (app, shared), (app, own), (db, shared), (ops, own) })
        {
            await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, digest, 10, T0, null, Ct);
        }

        var appImage = Manifest("app-image");
        var dbImage = Manifest("db-image");
        await Artifacts.PutManifestAsync(app.Id, appImage, [new ManifestLink(shared, false, 10), new ManifestLink(own, false, 10)], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(db.Id, dbImage, [new ManifestLink(shared, false, 10)], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(ops.Id, Manifest("ops-image"), [new ManifestLink(own, false, 10)], null, null, T0, Ct);

        Assert.Equal(
            [new CleanupBlobLink(app.Id, appImage.Digest, own, 10, false), new CleanupBlobLink(app.Id, appImage.Digest, shared, 10, false)],
            (await Cleanup.ListCleanupBlobsAsync(app.Id, [appImage.Digest], Ct)).OrderBy(l => l.BlobDigest, StringComparer.Ordinal));
        Assert.Equal(
            [new CleanupBlobLink(app.Id, appImage.Digest, own, 10, false)],
            await Cleanup.ListBlobReferencesAsync(registry.Id, [own], Ct));
        Assert.Equal(
            [(app.Id, appImage.Digest), (db.Id, dbImage.Digest)],
            (await Cleanup.ListBlobReferencesAsync(registry.Id, [shared], Ct)).Select(l => (l.RepositoryId, l.ManifestDigest)).Order());
    }
}
