using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// What <see cref="IMetadataStore"/> adds to its roles: initialising (again) and answering a ping.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class MetadataStoreLifecycleConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task PingAnswers() => Assert.True(await Lifecycle.PingAsync(Ct));

    [Fact]
    public async Task InitializeAgainKeepsTheData()
    {
        var registry = await NewRegistryAsync("acme", "web");
        await Lifecycle.InitializeAsync(Ct);
        Assert.NotNull(await Tenants.GetRegistryByIdAsync(registry.Id, Ct));
    }
}
