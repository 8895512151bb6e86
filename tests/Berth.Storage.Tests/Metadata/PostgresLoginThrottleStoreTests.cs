using Berth.Core.Metadata;
using Berth.Storage.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Storage.Tests.Metadata;

/// <summary>The same on a fresh PostgreSQL database per test: the counters every node shares.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoginThrottleStoreTests(PostgresServer server) : LoginThrottleStoreConformanceTests
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected override async Task<ILoginThrottleStore> CreateStoreAsync()
    {
        var database = await server.CreateDatabaseAsync();
        var store = PostgresStoreProvider.NewStore(database.ConnectionString);
        _owned.Add(database);
        _owned.Add(store);
        await store.InitializeAsync(Ct);
        return store;
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }
}
