using System.Security.Cryptography;
using System.Text;
using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata;

/// <summary>
/// What every metadata test shares: a fresh, initialised store of <typeparamref name="TProvider"/>'s backend per test,
/// reached through each of its roles, and the helpers that set up what a test's subject needs. The provider's own type
/// is kept so a backend's own tests can reach what only that backend has (its file, its nodes, its concrete store).
/// </summary>
public abstract class MetadataStoreTestBase<TProvider>(TProvider provider) : IAsyncLifetime
    where TProvider : IMetadataStoreProvider
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    // "Now" for the pull statistics, and the start of the hour it falls in.
    protected static readonly DateTimeOffset Hour = new(2025, 3, 20, 12, 0, 0, TimeSpan.Zero);

    protected static readonly DateTimeOffset Now = Hour.AddMinutes(30);

    protected static readonly CancellationToken Ct = CancellationToken.None;

    private IMetadataStore _store = null!;

    protected TProvider Provider { get; } = provider;

    protected IMetadataStore Lifecycle => _store;

    protected ITenantStore Tenants => _store;

    protected IArtifactStore Artifacts => _store;

    protected IArtifactBinStore Bin => _store;

    protected IUploadStore Uploads => _store;

    protected IUserStore Users => _store;

    protected IPullStatsStore PullStats => _store;

    protected IAdvisoryStore Advisories => _store;

    protected IScanStore Scans => _store;

    protected IDataProtectionKeyStore DataProtectionKeys => _store;

    protected IRegistryTokenStore RegistryTokens => _store;

    protected IFederationStore Federation => _store;

    public async Task InitializeAsync()
    {
        _store = await Provider.CreateAsync();
        await Lifecycle.InitializeAsync(Ct);
    }

    public async Task DisposeAsync() => await Provider.DisposeAsync();

    /// <summary>Rows in a table of the store, read directly (what the interfaces cannot show: rows nothing returns).</summary>
    protected Task<long> CountRowsAsync(string table) => Provider.CountRowsAsync(table);

    // ---- helpers

    protected static string Digest(string seed) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    protected static ManifestRecord Manifest(string seed, string? subject = null, string? artifactType = null)
    {
        var content = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"seed":"{{seed}}"}""");
        return new ManifestRecord(
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)),
            "application/vnd.oci.image.manifest.v1+json",
            content,
            artifactType,
            subject,
            T0);
    }

    protected async Task<RegistryRecord> NewRegistryAsync(string project, string registry)
    {
        var projectRecord = await Tenants.GetProjectAsync(project, Ct)
            ?? await Tenants.CreateProjectAsync("id-" + project, project, T0, Ct);
        return await Tenants.CreateRegistryAsync(
            new NewRegistry("id-" + registry, registry, projectRecord.Id, "hash", 1L << 30, T0), Ct);
    }

    /// <summary>Runs a repository purge to the end: the number of batches and every digest it unlinked.</summary>
    protected async Task<(int Batches, List<string> Unlinked)> PurgeRepositoryAsync(long repositoryId, int batchSize)
    {
        var unlinked = new List<string>();
        for (var batches = 1; ; batches++)
        {
            Assert.True(batches < 10_000, "the repository purge does not end");
            var step = await Artifacts.PurgeRepositoryAsync(repositoryId, batchSize, Ct);
            Assert.True(step.UnlinkedDigests.Count <= batchSize, $"a batch of {batchSize} unlinked {step.UnlinkedDigests.Count} blobs");
            unlinked.AddRange(step.UnlinkedDigests);
            if (!step.More)
            {
                return (batches, unlinked);
            }
        }
    }

    /// <summary>Runs a registry purge to the end (its records; the content is the caller's): the number of batches.</summary>
    protected async Task<int> PurgeRegistryAsync(string registryId, int batchSize)
    {
        for (var batches = 1; ; batches++)
        {
            Assert.True(batches < 10_000, "the registry purge does not end");
            if (!await Tenants.PurgeRegistryAsync(registryId, batchSize, Ct))
            {
                return batches;
            }
        }
    }

    protected async Task<RepositoryRecord> NewRepositoryAsync()
    {
        var registry = await NewRegistryAsync("acme", "web");
        return await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
    }

    /// <summary>A manifest delete with no recovery window (final at once), as the store's tests before the bin.</summary>
    protected async Task<bool> DeleteManifestNowAsync(long repositoryId, string digest, CancellationToken cancellationToken) =>
        await Bin.RemoveManifestAsync(repositoryId, digest, null, T0, null, cancellationToken) is not null;

    protected async Task<bool> DeleteTagNowAsync(long repositoryId, string tag, CancellationToken cancellationToken) =>
        await Bin.RemoveTagAsync(repositoryId, tag, null, T0, null, cancellationToken) is not null;
}
