using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of the <see cref="IArtifactStore"/> queries that keep deletes from breaking images and nest listings:
/// which indexes list a manifest, what a page of manifests carries beneath it, and what deleting a repository frees.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class ArtifactDependencyConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task ReferencingIndexesAreTheIndexesOfTheRepositoryThatListTheManifestWithTheirTags()
    {
        var repository = await NewRepositoryAsync();
        var other = await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "other", T0, Ct);
        var child = Manifest("arm");
        var sibling = Manifest("amd");
        var frontend = Manifest("frontend-index");
        var older = Manifest("older-index");
        var unrelated = Manifest("unrelated-index");
        var signature = Manifest("signature", child.Digest, "application/vnd.example.signature");
        foreach (var image in new[] { child, sibling })
        {
            await Artifacts.PutManifestAsync(repository.Id, image, [], null, null, T0, Ct);
        }

        await Artifacts.PutManifestAsync(repository.Id, frontend, [Link(child), Link(sibling)], null, "latest", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, frontend, [], null, "1.0", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, older, [Link(child)], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, unrelated, [Link(sibling)], null, "old", T0, Ct);
        await Artifacts.PutManifestAsync(repository.Id, signature, [], null, null, T0, Ct);
        // The same index content in another repository is that repository's business.
        await Artifacts.PutManifestAsync(other.Id, child, [], null, null, T0, Ct);
        await Artifacts.PutManifestAsync(other.Id, frontend, [Link(child), Link(sibling)], null, "elsewhere", T0, Ct);

        var referencing = await Artifacts.ListReferencingIndexesAsync(repository.Id, child.Digest, Ct);

        Assert.Equal(
            new[] { new ReferencingIndex(frontend.Digest, ["1.0", "latest"]), new ReferencingIndex(older.Digest, []) }
                .OrderBy(i => i.Digest, StringComparer.Ordinal)
                .Select(i => (i.Digest, string.Join(',', i.Tags))),
            referencing.Select(i => (i.Digest, string.Join(',', i.Tags))));
        // A subject is not a listing: the signed image is free to go (as the OCI spec allows); so is an index itself.
        Assert.Empty(await Artifacts.ListReferencingIndexesAsync(repository.Id, signature.Digest, Ct));
        Assert.Empty(await Artifacts.ListReferencingIndexesAsync(repository.Id, frontend.Digest, Ct));
        Assert.Equal([frontend.Digest], (await Artifacts.ListReferencingIndexesAsync(other.Id, child.Digest, Ct)).Select(i => i.Digest));

        // Once the indexes are gone, nothing holds the child.
        Assert.True(await DeleteManifestNowAsync(repository.Id, frontend.Digest, Ct));
        Assert.True(await DeleteManifestNowAsync(repository.Id, older.Digest, Ct));
        Assert.Empty(await Artifacts.ListReferencingIndexesAsync(repository.Id, child.Digest, Ct));
    }

    [Fact]
    public async Task DependentsAreChildrenAndReferrersOfThePageAndOneLevelBelow()
    {
        var repository = await NewRepositoryAsync();
        var other = await Artifacts.EnsureRepositoryAsync(repository.RegistryId, "other", T0, Ct);
        var amd = Manifest("amd");
        var arm = Manifest("arm");
        var missing = Manifest("never-pushed");
        var index = Manifest("index");
        var plain = Manifest("plain");
        var indexSignature = Manifest("index-signature", index.Digest, "application/vnd.example.signature");
        var armSignature = Manifest("arm-signature", arm.Digest, "application/vnd.example.signature");
        var sbom = Manifest("sbom", plain.Digest, "application/spdx+json");
        var sbomSignature = Manifest("sbom-signature", sbom.Digest, "application/vnd.example.signature");
        var notOnThePage = Manifest("elsewhere");
        var itsSignature = Manifest("elsewhere-signature", notOnThePage.Digest, "application/vnd.example.signature");
        foreach (var image in new[] { amd, arm, plain, notOnThePage })
        {
            await Artifacts.PutManifestAsync(repository.Id, image, [], null, null, T0, Ct);
        }

        await Artifacts.PutManifestAsync(repository.Id, index, [Link(amd), Link(arm), Link(missing)], null, "latest", T0, Ct);
        foreach (var referrer in new[] { indexSignature, armSignature, sbom, sbomSignature, itsSignature })
        {
            await Artifacts.PutManifestAsync(repository.Id, referrer, [], null, null, T0, Ct);
        }

        // Another repository's referrer of the same digest does not belong here.
        await Artifacts.PutManifestAsync(other.Id, Manifest("foreign-signature", plain.Digest, "application/vnd.example.signature"), [], null, null, T0, Ct);

        var dependents = await Artifacts.ListDependentsAsync(repository.Id, [index.Digest, plain.Digest], Ct);

        Assert.Equal(
            new[]
            {
                (index.Digest, DependentKind.Child, amd.Digest),
                (index.Digest, DependentKind.Child, arm.Digest),
                (index.Digest, DependentKind.Referrer, indexSignature.Digest),
                (arm.Digest, DependentKind.Referrer, armSignature.Digest),
                (plain.Digest, DependentKind.Referrer, sbom.Digest),
                (sbom.Digest, DependentKind.Referrer, sbomSignature.Digest),
            }.Order(),
            dependents.Select(d => (d.ParentDigest, d.Kind, d.Manifest.Digest)).Order());
        // The whole record: listings build their rows from it.
        Assert.Equal(sbom, dependents.Single(d => d.Manifest.Digest == sbom.Digest).Manifest with { Content = sbom.Content });
        Assert.Equal(sbom.Content, dependents.Single(d => d.Manifest.Digest == sbom.Digest).Manifest.Content);
        Assert.Empty(await Artifacts.ListDependentsAsync(repository.Id, [], Ct));
        Assert.Empty(await Artifacts.ListDependentsAsync(repository.Id, [amd.Digest], Ct));
    }

    [Fact]
    public async Task ExclusiveBytesAreTheBlobsNoOtherRepositoryOfTheRegistryLinks()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        var db = await Artifacts.EnsureRepositoryAsync(registry.Id, "db", T0, Ct);
        var empty = await Artifacts.EnsureRepositoryAsync(registry.Id, "empty", T0, Ct);
        var elsewhere = await NewRegistryAsync("globex", "ops");
        var theirs = await Artifacts.EnsureRepositoryAsync(elsewhere.Id, "app", T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("shared"), 100, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("app-only"), 10, T0, null, Ct);
        await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("app-only-too"), 5, T0, null, Ct);
        await Artifacts.LinkBlobAsync(registry.Id, db.Id, Digest("shared"), T0, Ct);
        await Artifacts.AddBlobAsync(registry.Id, db.Id, Digest("db-only"), 1, T0, null, Ct);
        // The same content in another registry is stored (and counted) there: it does not keep app's copy.
        await Artifacts.AddBlobAsync(elsewhere.Id, theirs.Id, Digest("app-only"), 10, T0, null, Ct);

        Assert.Equal(15, await Artifacts.GetRepositoryExclusiveBytesAsync(app.Id, Ct));
        Assert.Equal(1, await Artifacts.GetRepositoryExclusiveBytesAsync(db.Id, Ct));
        Assert.Equal(0, await Artifacts.GetRepositoryExclusiveBytesAsync(empty.Id, Ct));

        // Once db lets go of the shared blob, app alone holds it.
        Assert.True(await Artifacts.UnlinkBlobAsync(db.Id, Digest("shared"), Ct));
        Assert.Equal(115, await Artifacts.GetRepositoryExclusiveBytesAsync(app.Id, Ct));
    }

    private static ManifestLink Link(ManifestRecord manifest) => new(manifest.Digest, IsManifest: true, manifest.Content.Length);
}
