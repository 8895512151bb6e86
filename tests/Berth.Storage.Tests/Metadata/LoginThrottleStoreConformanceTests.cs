using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata;

/// <summary>What every <see cref="ILoginThrottleStore"/> must do: the in-memory default and the shared PostgreSQL one.</summary>
public abstract class LoginThrottleStoreConformanceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    protected ILoginThrottleStore Store { get; private set; } = null!;

    protected abstract Task<ILoginThrottleStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task FailuresAreCountedPerPairAndPerAddressAcrossAccounts()
    {
        Assert.Equal(new LoginThrottleState(null, null), await Store.GetAsync("registry:web", "10.0.0.1", Ct));

        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0, T0.AddHours(-1), Ct);
        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0.AddSeconds(1), T0.AddHours(-1), Ct);
        var state = await Store.RecordFailureAsync("user:alice", "10.0.0.1", T0.AddSeconds(2), T0.AddHours(-1), Ct);

        Assert.Equal(new LoginThrottleEntry("user:alice", "10.0.0.1", 1, T0.AddSeconds(2), null), state.Pair);
        Assert.Equal(new LoginThrottleEntry("*", "10.0.0.1", 3, T0.AddSeconds(2), null), state.Address);
        Assert.Equal(new LoginThrottleState(
                new LoginThrottleEntry("registry:web", "10.0.0.1", 2, T0.AddSeconds(1), null),
                new LoginThrottleEntry("*", "10.0.0.1", 3, T0.AddSeconds(2), null)),
            await Store.GetAsync("registry:web", "10.0.0.1", Ct));

        // Another address is another client: nothing of the above counts for it.
        Assert.Equal(new LoginThrottleState(null, null), await Store.GetAsync("registry:web", "10.0.0.2", Ct));
    }

    [Fact]
    public async Task ACounterWhoseLastFailureIsForgottenStartsAgain()
    {
        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0, T0.AddHours(-1), Ct);
        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0.AddMinutes(1), T0.AddHours(-1), Ct);

        var state = await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0.AddHours(2), T0.AddHours(1), Ct);

        Assert.Equal(1, state.Pair!.Failures);
        Assert.Equal(1, state.Address!.Failures);
    }

    [Fact]
    public async Task ASuccessClearsThePairButNotTheAddressAndIsRemembered()
    {
        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0, T0.AddHours(-1), Ct);
        await Store.RecordSuccessAsync("registry:web", "10.0.0.1", T0.AddSeconds(5), Ct);

        var state = await Store.GetAsync("registry:web", "10.0.0.1", Ct);
        Assert.Equal(new LoginThrottleEntry("registry:web", "10.0.0.1", 0, null, T0.AddSeconds(5)), state.Pair);
        Assert.Equal(1, state.Address!.Failures);

        // A later failure counts from 1 and keeps the success.
        state = await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0.AddSeconds(6), T0.AddHours(-1), Ct);
        Assert.Equal(new LoginThrottleEntry("registry:web", "10.0.0.1", 1, T0.AddSeconds(6), T0.AddSeconds(5)), state.Pair);
    }

    [Fact]
    public async Task ConcurrentFailuresAreAllCounted()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            Store.RecordFailureAsync(i % 2 == 0 ? "registry:web" : "registry:api", "10.0.0.1", T0.AddMilliseconds(i), T0.AddHours(-1), Ct))));

        var state = await Store.GetAsync("registry:web", "10.0.0.1", Ct);
        Assert.Equal(20, state.Pair!.Failures);
        Assert.Equal(40, state.Address!.Failures);
    }

    [Fact]
    public async Task CountersAreListedInPagesAndClearedByAccountOrAddress()
    {
        await Store.RecordFailureAsync("registry:web", "10.0.0.1", T0, T0.AddHours(-1), Ct);
        await Store.RecordFailureAsync("registry:web", "10.0.0.2", T0, T0.AddHours(-1), Ct);
        await Store.RecordFailureAsync("user:alice", "10.0.0.2", T0, T0.AddHours(-1), Ct);
        await Store.RecordFailureAsync("registry:old", "10.0.0.3", T0.AddHours(-3), T0.AddHours(-4), Ct);
        await Store.RecordSuccessAsync("registry:ok", "10.0.0.9", T0, Ct);

        var first = await Store.ListAsync(T0.AddHours(-1), null, 3, Ct);
        Assert.Equal([("*", "10.0.0.1"), ("*", "10.0.0.2"), ("registry:web", "10.0.0.1")], first.Select(e => (e.Account, e.Address)));
        var second = await Store.ListAsync(T0.AddHours(-1), (first[^1].Account, first[^1].Address), 3, Ct);
        Assert.Equal([("registry:web", "10.0.0.2"), ("user:alice", "10.0.0.2")], second.Select(e => (e.Account, e.Address)));

        Assert.Equal(1, await Store.ClearAsync("registry:web", "10.0.0.2", Ct));
        Assert.Equal(0, (await Store.GetAsync("registry:web", "10.0.0.2", Ct)).Pair!.Failures);
        Assert.Equal(1, (await Store.GetAsync("registry:web", "10.0.0.1", Ct)).Pair!.Failures);
        Assert.Equal(2, await Store.ClearAsync(null, "10.0.0.2", Ct));
        Assert.Equal(new LoginThrottleState(new LoginThrottleEntry("user:alice", "10.0.0.2", 0, null, null), new LoginThrottleEntry("*", "10.0.0.2", 0, null, null)),
            await Store.GetAsync("user:alice", "10.0.0.2", Ct));
        Assert.Equal(1, await Store.ClearAsync("registry:web", null, Ct));
        Assert.Equal(0, await Store.ClearAsync("registry:nobody", null, Ct));
    }

    [Fact]
    public async Task PruningForgetsOnlyCountersWithNothingRecent()
    {
        await Store.RecordFailureAsync("registry:stale", "10.0.0.1", T0.AddHours(-5), T0.AddHours(-6), Ct);
        await Store.RecordFailureAsync("registry:fresh", "10.0.0.2", T0, T0.AddHours(-1), Ct);
        await Store.RecordSuccessAsync("registry:known", "10.0.0.3", T0.AddDays(-1), Ct);
        await Store.RecordSuccessAsync("registry:gone", "10.0.0.4", T0.AddDays(-40), Ct);

        await Store.PruneAsync(T0.AddHours(-1), T0.AddDays(-30), Ct);

        Assert.Null((await Store.GetAsync("registry:stale", "10.0.0.1", Ct)).Pair);
        Assert.Null((await Store.GetAsync("registry:stale", "10.0.0.1", Ct)).Address);
        Assert.NotNull((await Store.GetAsync("registry:fresh", "10.0.0.2", Ct)).Pair);
        Assert.NotNull((await Store.GetAsync("registry:known", "10.0.0.3", Ct)).Pair);
        Assert.Null((await Store.GetAsync("registry:gone", "10.0.0.4", Ct)).Pair);
    }
}
