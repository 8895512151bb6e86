using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IArtifactBinStore"/>: deleting tags and manifests into the recovery bin, binned content
/// keeping its blobs referenced, restoring, listing, counting and purging. Every backend runs it.
/// </summary>
public abstract class ArtifactBinConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    private static readonly DateTimeOffset Expires = T0.AddDays(7);

    [Fact]
    public async Task ABinnedTagIsListedAndRestoredToItsManifest()
    {
        var repository = await NewRepositoryAsync();
        var manifest = Manifest("m");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [], null, "v1", T0, Ct);

        Assert.Equal(manifest.Digest, await Bin.RemoveTagAsync(repository.Id, "v1", null, T0, Expires, Ct));
        Assert.Null(await Bin.RemoveTagAsync(repository.Id, "v1", null, T0, Expires, Ct));
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, "v1", Ct));

        var page = await Bin.ListBinAsync(repository.RegistryId, null, Request(), T0.AddMinutes(1), Ct);
        Assert.Equal([new BinEntry("app", "v1", manifest.Digest, T0, Expires)], page.Items);

        var restored = await Bin.RestoreTagAsync(repository.Id, "v1", T0.AddMinutes(2), Ct);
        Assert.Equal(BinRestoreStatus.Restored, restored.Status);
        Assert.Equal(new BinEntry("app", "v1", manifest.Digest, T0, Expires), restored.Entry);
        Assert.Equal(manifest.Digest, (await Artifacts.GetManifestAsync(repository.Id, "v1", Ct))!.Digest);
        Assert.Empty((await Bin.ListBinAsync(repository.RegistryId, null, Request(), T0.AddMinutes(3), Ct)).Items);
        Assert.Equal(BinRestoreStatus.NotFound, (await Bin.RestoreTagAsync(repository.Id, "v1", T0.AddMinutes(3), Ct)).Status);
    }

    [Fact]
    public async Task ABinnedManifestKeepsItsBlobsLinkedAndCountedUntilPurged()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("layer"), 100, T0, null, Ct);
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("shared"), 10, T0, null, Ct);
        var manifest = Manifest("m");
        await Artifacts.PutManifestAsync(repository.Id, manifest, [new(Digest("layer"), false, 100), new(Digest("shared"), false, 10)], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("other"), [new(Digest("shared"), false, 10)], null, "v2", T0, Ct);

        var removal = await Bin.RemoveManifestAsync(repository.Id, manifest.Digest, null, T0, Expires, Ct);

        Assert.Equal(["v1"], removal!.Tags);
        Assert.Equal(new[] { Digest("layer"), Digest("shared") }.Order(StringComparer.Ordinal), removal.BlobDigests);
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, manifest.Digest, Ct));
        Assert.Empty(await Artifacts.UnlinkUnreferencedBlobsAsync(repository.Id, [Digest("layer"), Digest("shared")], DateTimeOffset.MaxValue, Expires, Ct));
        Assert.Empty(await Artifacts.ListUnreferencedLinksAsync(DateTimeOffset.MaxValue, null, 100, Ct));
        Assert.Equal(110, (await Artifacts.GetUsageAsync(repository.RegistryId, Ct)).StorageUsageBytes);
        Assert.Equal(new BinCounts(1, 1, 100), (await Bin.CountBinAsync([repository.RegistryId], Ct))[repository.RegistryId]);

        // Binned with its tag: listed once, by that tag.
        Assert.Equal([new BinEntry("app", "v1", manifest.Digest, T0, Expires)],
            (await Bin.ListBinAsync(repository.RegistryId, "app", Request(), T0, Ct)).Items);

        // Not yet expired: nothing to purge.
        var early = await Bin.PurgeExpiredBinAsync(Expires.AddSeconds(-1), 10, Ct);
        Assert.Equal(0, early.Tags);
        Assert.Empty(early.Manifests);

        var purge = await Bin.PurgeExpiredBinAsync(Expires, 10, Ct);
        Assert.Equal(1, purge.Tags);
        Assert.Equal([manifest.Digest], purge.Manifests.Select(m => m.Digest));
        Assert.Equal(new[] { Digest("layer"), Digest("shared") }.Order(StringComparer.Ordinal), purge.Manifests[0].BlobDigests.Order(StringComparer.Ordinal));
        Assert.Equal([Digest("layer")], await Artifacts.UnlinkUnreferencedBlobsAsync(repository.Id, purge.Manifests[0].BlobDigests, DateTimeOffset.MaxValue, Expires, Ct));
        Assert.Empty(await Bin.CountBinAsync([repository.RegistryId], Ct));
        Assert.Equal(BinRestoreStatus.NotFound, (await Bin.RestoreTagAsync(repository.Id, "v1", Expires, Ct)).Status);
    }

    [Fact]
    public async Task RestoringATagBringsBackItsManifestAndTheIndexsBinnedChildren()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.AddBlobAsync(repository.RegistryId, repository.Id, Digest("layer"), 100, T0, null, Ct);
        var child = Manifest("child");
        await Artifacts.PutManifestAsync(repository.Id, child, [new(Digest("layer"), false, 100)], null, null, T0, Ct);
        var index = Manifest("index");
        await Artifacts.PutManifestAsync(repository.Id, index, [new(child.Digest, true, child.Content.Length)], null, "v1", T0, Ct);

        Assert.NotNull(await Bin.RemoveManifestAsync(repository.Id, index.Digest, null, T0, Expires, Ct));
        Assert.NotNull(await Bin.RemoveManifestAsync(repository.Id, child.Digest, null, T0.AddSeconds(1), Expires, Ct));
        Assert.Equal(
            [new BinEntry("app", null, child.Digest, T0.AddSeconds(1), Expires), new BinEntry("app", "v1", index.Digest, T0, Expires)],
            (await Bin.ListBinAsync(repository.RegistryId, null, Request(), T0, Ct)).Items);

        Assert.Equal(BinRestoreStatus.Restored, (await Bin.RestoreTagAsync(repository.Id, "v1", T0.AddMinutes(1), Ct)).Status);

        Assert.Equal(index.Digest, (await Artifacts.GetManifestAsync(repository.Id, "v1", Ct))!.Digest);
        Assert.NotNull(await Artifacts.GetManifestAsync(repository.Id, child.Digest, Ct));
        Assert.Single(await Artifacts.ListReferencingIndexesAsync(repository.Id, child.Digest, Ct));
        Assert.Empty((await Bin.ListBinAsync(repository.RegistryId, null, Request(), T0, Ct)).Items);
    }

    [Fact]
    public async Task ATagNameTakenMeanwhileRefusesTheRestore()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.PutManifestAsync(repository.Id, Manifest("old"), [], null, "latest", T0, Ct);
        await Bin.RemoveTagAsync(repository.Id, "latest", null, T0, Expires, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("new"), [], null, "latest", T0, Ct);

        var refused = await Bin.RestoreTagAsync(repository.Id, "latest", T0, Ct);

        Assert.Equal(BinRestoreStatus.TagTaken, refused.Status);
        Assert.Equal(Manifest("new").Digest, refused.ConflictingDigest);
        Assert.Equal(Manifest("new").Digest, (await Artifacts.GetManifestAsync(repository.Id, "latest", Ct))!.Digest);
    }

    [Fact]
    public async Task ARestoredManifestComesBackUntaggedAndAnExpiredOneDoesNot()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.PutManifestAsync(repository.Id, Manifest("a"), [], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("b"), [], null, null, T0, Ct);
        await Bin.RemoveManifestAsync(repository.Id, Manifest("a").Digest, null, T0, Expires, Ct);
        await Bin.RemoveManifestAsync(repository.Id, Manifest("b").Digest, null, T0, Expires, Ct);

        var restored = await Bin.RestoreManifestAsync(repository.Id, Manifest("a").Digest, T0, Ct);

        Assert.Equal(new BinEntry("app", null, Manifest("a").Digest, T0, Expires), restored.Entry);
        Assert.NotNull(await Artifacts.GetManifestAsync(repository.Id, Manifest("a").Digest, Ct));
        Assert.Equal(BinRestoreStatus.NotFound, (await Bin.RestoreManifestAsync(repository.Id, Manifest("b").Digest, Expires, Ct)).Status);
        Assert.Equal(BinRestoreStatus.NotFound, (await Bin.RestoreManifestAsync(repository.Id, Manifest("c").Digest, T0, Ct)).Status);
    }

    [Fact]
    public async Task PlannedDeletesRefuseWhatChangedSincePlanning()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.PutManifestAsync(repository.Id, Manifest("a"), [], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("b"), [], null, null, T0, Ct);
        await PullStats.RecordPullsAsync([new PullCount(repository.Id, Manifest("b").Digest, Hour, 1, Now)], Ct);

        // Moved, pulled, tagged: refused.
        Assert.Null(await Bin.RemoveTagAsync(repository.Id, "v1", new RemovalGuard(Manifest("b").Digest, Hour), T0, Expires, Ct));
        Assert.Null(await Bin.RemoveManifestAsync(repository.Id, Manifest("b").Digest, Now, T0, Expires, Ct));
        Assert.Null(await Bin.RemoveManifestAsync(repository.Id, Manifest("a").Digest, Now, T0, Expires, Ct));

        Assert.Equal(Manifest("a").Digest, await Bin.RemoveTagAsync(repository.Id, "v1", new RemovalGuard(Manifest("a").Digest, Hour), T0, Expires, Ct));
        Assert.NotNull(await Bin.RemoveManifestAsync(repository.Id, Manifest("a").Digest, Now, T0, Expires, Ct));
        Assert.NotNull(await Bin.RemoveManifestAsync(repository.Id, Manifest("b").Digest, Now.AddSeconds(1), T0, Expires, Ct));
    }

    [Fact]
    public async Task TheBinIsPagedNewestFirst()
    {
        var repository = await NewRepositoryAsync();
        for (var i = 0; i < 5; i++)
        {
            await Artifacts.PutManifestAsync(repository.Id, Manifest("m" + i), [], null, "t" + i, T0, Ct);
            await Bin.RemoveTagAsync(repository.Id, "t" + i, null, T0.AddMinutes(i % 3), Expires, Ct);
        }

        var seen = new List<string>();
        ListCursor? after = null;
        do
        {
            var page = await Bin.ListBinAsync(repository.RegistryId, null, Request(2) with { After = after }, T0, Ct);
            seen.AddRange(page.Items.Select(e => e.Tag!));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(["t2", "t4", "t1", "t3", "t0"], seen);
    }

    [Fact]
    public async Task AManifestIsMarkedUntaggedWhenItLosesItsLastTagAndUnmarkedWhenTaggedAgain()
    {
        var repository = await NewRepositoryAsync();
        await Artifacts.PutManifestAsync(repository.Id, Manifest("a"), [], null, "v1", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, Manifest("a"), [], null, "v2", T0, Ct);
        Assert.Equal(0, await UntaggedAsync());

        // Moving one of two tags away leaves it tagged; moving the last one marks it.
        await Artifacts.PutManifestAsync(repository.Id, Manifest("b"), [], null, "v1", T0, Ct);
        Assert.Equal(0, await UntaggedAsync());
        await Artifacts.PutManifestAsync(repository.Id, Manifest("b"), [], null, "v2", T0, Ct);
        Assert.Equal(1, await UntaggedAsync());

        await Artifacts.PutManifestAsync(repository.Id, Manifest("a"), [], null, "v3", T0, Ct);
        Assert.Equal(0, await UntaggedAsync());
        await Bin.RemoveTagAsync(repository.Id, "v3", null, T0, Expires, Ct);
        Assert.Equal(1, await UntaggedAsync());
        await Bin.RestoreTagAsync(repository.Id, "v3", T0, Ct);
        Assert.Equal(0, await UntaggedAsync());
    }

    // The provider counts rows of what it is given: here the manifests marked untagged.
    private Task<long> UntaggedAsync() => CountRowsAsync("manifests WHERE untagged_at IS NOT NULL");

    private static ListPageRequest Request(int limit = 100) => new(limit, ListSort.Descend(ListSort.DeletedKey));
}
