using System.Security.Cryptography;
using System.Text;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Retention;
using Berth.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Registry.Tests.Retention;

/// <summary>
/// What changes between a cleanup's plan and its deletions cancels them: the server's own services (as <c>berth
/// serve</c> wires them) make a plan, the test re-tags, pulls and tags in between, then the run executes that plan.
/// </summary>
public sealed class CleanupGuardTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _dataDir = TempDirs.Create("berth-cleanup-guard");
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Berth:DataDir"] = _dataDir,
                ["Berth:Admin:Password"] = "correct horse battery",
                ["Berth:Retention:RecoveryWindow"] = "1.00:00:00",
            })
            .Build();
        _services = new ServiceCollection().AddLogging().AddBerth(configuration).BuildServiceProvider();
        await _services.GetRequiredService<IMetadataStore>().InitializeAsync(Ct);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task ReTaggingPullingAndTaggingBetweenPlanAndRunSkipTheirDeletions()
    {
        var store = _services.GetRequiredService<IMetadataStore>();
        var now = DateTimeOffset.UtcNow;
        var project = await store.CreateProjectAsync("p-guard", "guard", now, Ct);
        var registry = await store.CreateRegistryAsync(new NewRegistry("r-guard", "guard", project.Id, "hash", 1L << 30, now), Ct);
        var repository = await store.EnsureRepositoryAsync(registry.Id, "app", now, Ct);
        var (v1, v2, v3, untagged, newer) = (Manifest("v1", now), Manifest("v2", now), Manifest("v3", now), Manifest("untagged", now.AddDays(-3)), Manifest("newer", now));
        foreach (var (manifest, tag) in new[] { (v1, "v1"), (v2, "v2"), (v3, "v3"), (untagged, null) })
        {
            Assert.True(await store.PutManifestAsync(repository.Id, manifest, [], null, tag, now.AddMinutes(-10), Ct));
        }

        Assert.True(CleanupPolicy.TryParse(new CleanupPolicyRequest([new CleanupRuleView("**", "^v")], 0), out var policy, out var error), error);
        var plan = await _services.GetRequiredService<CleanupPlanner>().PlanAsync(registry, policy, Ct);
        var (_, planned) = Assert.Single(plan.Repositories);
        Assert.Equal(["v1", "v2", "v3"], planned.Tags.Select(t => t.Name));
        Assert.Equal(new[] { v1.Digest, v2.Digest, v3.Digest, untagged.Digest }.Order(StringComparer.Ordinal), planned.Manifests.Order(StringComparer.Ordinal));

        // Between the plan and the run: v1 moves to another image, v2's image is pulled, v3's image gets a new tag.
        Assert.True(await store.PutManifestAsync(repository.Id, newer, [], null, "v1", DateTimeOffset.UtcNow, Ct));
        _services.GetRequiredService<PullRecorder>().Record(repository.Id, v2.Digest, DateTimeOffset.UtcNow);
        Assert.True(await store.PutManifestAsync(repository.Id, v3, [], null, "stable", DateTimeOffset.UtcNow, Ct));

        var outcome = await _services.GetRequiredService<CleanupRunner>().ExecuteAsync(registry, plan, Ct);

        // Deleted: tag v3, and the manifests still untagged and unpulled (v1's old image, the old untagged one).
        // Skipped: tags v1 (moved) and v2 (pulled), manifests v2 (still tagged, and pulled) and v3 (tagged again).
        Assert.Equal((CleanupRunner.Succeeded, 1L, 2L, 4L), (outcome.Status, outcome.TagsDeleted, outcome.ManifestsDeleted, outcome.Skipped));
        Assert.Equal(newer.Digest, (await store.GetManifestAsync(repository.Id, "v1", Ct))?.Digest);
        Assert.Equal(v2.Digest, (await store.GetManifestAsync(repository.Id, "v2", Ct))?.Digest);
        Assert.Null(await store.GetManifestAsync(repository.Id, "v3", Ct));
        Assert.Equal(v3.Digest, (await store.GetManifestAsync(repository.Id, "stable", Ct))?.Digest);
        Assert.Null(await store.GetManifestAsync(repository.Id, v1.Digest, Ct));
        Assert.Null(await store.GetManifestAsync(repository.Id, untagged.Digest, Ct));

        // What it deleted is in the recovery bin, restorable.
        var binned = await _services.GetRequiredService<ArtifactBin>().ListAsync(registry, null, new ListPageRequest(100, ListSort.Descend(ListSort.DeletedKey)), Ct);
        Assert.Contains(binned.Items, e => e.Tag == "v3");
        Assert.Contains(binned.Items, e => e.Tag is null && e.Digest == untagged.Digest);
    }

    private static ManifestRecord Manifest(string seed, DateTimeOffset createdAt)
    {
        var content = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","seed":"{{seed}}"}""");
        return new ManifestRecord("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), "application/vnd.oci.image.manifest.v1+json", content, null,
            null, createdAt);
    }
}
