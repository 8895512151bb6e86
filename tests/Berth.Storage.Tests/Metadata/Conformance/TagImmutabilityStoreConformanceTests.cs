using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="ITagImmutabilityStore"/> and <see cref="IUsageNoticeStore"/>: rules stored per registry; a
/// protected tag created or pushed again with its manifest, never moved (nothing stored), and of concurrent pushes
/// creating it exactly one wins; the usage notice changed by compare-and-set. Every backend runs it: see
/// <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class TagImmutabilityStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task RulesAreStoredReplacedAndRemovedPerRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Null(await Lifecycle.GetTagImmutabilityAsync(registry.Id, Ct));

        Assert.True(await Lifecycle.SetTagImmutabilityAsync(registry.Id, """[{"repositories":"**"}]""", T0, Ct));
        Assert.True(await Lifecycle.SetTagImmutabilityAsync(registry.Id, """[{"repositories":"app"}]""", T0.AddMinutes(1), Ct));
        Assert.Equal(new TagImmutabilityRecord("""[{"repositories":"app"}]""", T0.AddMinutes(1)), await Lifecycle.GetTagImmutabilityAsync(registry.Id, Ct));

        Assert.True(await Lifecycle.SetTagImmutabilityAsync(registry.Id, null, T0.AddMinutes(2), Ct));
        Assert.Null(await Lifecycle.GetTagImmutabilityAsync(registry.Id, Ct));
        Assert.False(await Lifecycle.SetTagImmutabilityAsync("no-such-registry", "[]", T0, Ct));
    }

    [Fact]
    public async Task AProtectedTagIsCreatedAndPushedAgainButNeverMoved()
    {
        var repository = await NewRepositoryAsync();
        var (first, second) = (Manifest("first"), Manifest("second"));

        Assert.Equal(ManifestPutResult.Stored, await Lifecycle.PutManifestProtectingTagAsync(repository.Id, first, [], null, "v1", T0, Ct));
        Assert.Equal(ManifestPutResult.Stored, await Lifecycle.PutManifestProtectingTagAsync(repository.Id, first, [], null, "v1", T0.AddMinutes(1), Ct));

        // Refused as a whole: the other manifest is not stored either.
        Assert.Equal(ManifestPutResult.TagImmutable, await Lifecycle.PutManifestProtectingTagAsync(repository.Id, second, [], null, "v1", T0, Ct));
        Assert.Equal(first.Digest, (await Artifacts.GetManifestAsync(repository.Id, "v1", Ct))?.Digest);
        Assert.Null(await Artifacts.GetManifestAsync(repository.Id, second.Digest, Ct));

        // A missing blob is still reported as such.
        Assert.Equal(ManifestPutResult.BlobMissing,
            await Lifecycle.PutManifestProtectingTagAsync(repository.Id, second, [new ManifestLink(Digest("gone"), false, 1)], null, "v2", T0, Ct));
    }

    [Fact]
    public async Task OfTwoConcurrentPushesCreatingAProtectedTagExactlyOneWins()
    {
        var repository = await NewRepositoryAsync();
        for (var round = 0; round < 20; round++)
        {
            var tag = $"r{round}";
            var manifests = new[] { Manifest($"a{round}"), Manifest($"b{round}") };
            var results = await Task.WhenAll(manifests.Select(m =>
                Task.Run(() => Lifecycle.PutManifestProtectingTagAsync(repository.Id, m, [], null, tag, T0, Ct))));

            var winner = Assert.Single(Enumerable.Range(0, 2), i => results[i] == ManifestPutResult.Stored);
            Assert.Equal(ManifestPutResult.TagImmutable, results[1 - winner]);
            Assert.Equal(manifests[winner].Digest, (await Artifacts.GetManifestAsync(repository.Id, tag, Ct))?.Digest);
            Assert.Null(await Artifacts.GetManifestAsync(repository.Id, manifests[1 - winner].Digest, Ct));
        }
    }

    [Fact]
    public async Task TheUsageNoticeChangesOnlyFromTheValueTheCallerSaw()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Null(await Lifecycle.GetUsageNoticeAsync(registry.Id, Ct));

        Assert.True(await Lifecycle.SwapUsageNoticeAsync(registry.Id, null, "nearly_full", Ct));
        Assert.False(await Lifecycle.SwapUsageNoticeAsync(registry.Id, null, "full", Ct));
        Assert.Equal("nearly_full", await Lifecycle.GetUsageNoticeAsync(registry.Id, Ct));

        Assert.True(await Lifecycle.SwapUsageNoticeAsync(registry.Id, "nearly_full", null, Ct));
        Assert.Null(await Lifecycle.GetUsageNoticeAsync(registry.Id, Ct));
        Assert.False(await Lifecycle.SwapUsageNoticeAsync("no-such-registry", null, "full", Ct));
    }
}
