using Berth.Core.Metadata;
using Berth.Metadata.Sqlite;
using Berth.Registry.Auth;
using Berth.Testing;

namespace Berth.Registry.Tests.Auth;

/// <summary>
/// The in-memory credential state every /v2 request checks: during a reset's overlap the previous generation is good
/// until its end by the clock (no one has to publish anything for it to end), and neither an early revocation nor a
/// later reset can be undone by a late publish of an older read.
/// </summary>
public sealed class CredentialGenerationsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _dir = TempDirs.Create("berth-generations");
    private readonly ManualClock _clock = new(T0);

    public void Dispose() => TempDirs.TryDelete(_dir);

    [Fact]
    public async Task ThePreviousGenerationIsGoodUntilTheOverlapEndsByTheClock()
    {
        using var store = await StoreAsync();
        var generations = new CredentialGenerations(store, _clock);
        var g = await store.ReplacePasswordAsync("r1", "second", T0, T0.AddHours(1), Ct) ?? throw new InvalidOperationException();

        // Read from the store on first use.
        Assert.True(await generations.IsCurrentAsync("r1", g, Ct));
        Assert.True(await generations.IsCurrentAsync("r1", g - 1, Ct));
        Assert.False(await generations.IsCurrentAsync("r1", g - 2, Ct));

        _clock.Now = T0.AddMinutes(59);
        Assert.True(await generations.IsCurrentAsync("r1", g - 1, Ct));
        _clock.Now = T0.AddHours(1);
        Assert.False(await generations.IsCurrentAsync("r1", g - 1, Ct));
        Assert.True(await generations.IsCurrentAsync("r1", g, Ct));
    }

    [Fact]
    public async Task AnEarlyRevocationOrAPlainResetEndsTheOverlapAndAStalePublishCannotBringItBack()
    {
        using var store = await StoreAsync();
        var generations = new CredentialGenerations(store, _clock);
        generations.Publish("r1", 5, T0.AddHours(1));
        Assert.True(await generations.IsCurrentAsync("r1", 4, Ct));

        // Revoked early (same generation, no overlap); a late publish of a read from before the revocation loses.
        generations.Publish("r1", 5, null);
        Assert.False(await generations.IsCurrentAsync("r1", 4, Ct));
        generations.Publish("r1", 5, T0.AddHours(1));
        Assert.False(await generations.IsCurrentAsync("r1", 4, Ct));
        Assert.True(await generations.IsCurrentAsync("r1", 5, Ct));

        // A new reset with an overlap keeps only the generation it replaced; a plain reset keeps none.
        generations.Publish("r1", 6, T0.AddHours(1));
        Assert.True(await generations.IsCurrentAsync("r1", 5, Ct));
        Assert.False(await generations.IsCurrentAsync("r1", 4, Ct));
        generations.Publish("r1", 7, null);
        Assert.False(await generations.IsCurrentAsync("r1", 6, Ct));
        generations.Publish("r1", 6, T0.AddHours(1));
        Assert.False(await generations.IsCurrentAsync("r1", 6, Ct));
        Assert.True(await generations.IsCurrentAsync("r1", 7, Ct));

        generations.PublishDeleted("r1");
        generations.Publish("r1", 8, T0.AddHours(1));
        Assert.False(await generations.IsCurrentAsync("r1", 8, Ct));
    }

    private async Task<SqliteMetadataStore> StoreAsync()
    {
        var store = new SqliteMetadataStore(Path.Combine(_dir, "berth.db"));
        await store.InitializeAsync(Ct);
        await store.CreateProjectAsync("p1", "proj", T0, Ct);
        await store.CreateRegistryAsync(new NewRegistry("r1", "reg", "p1", "first", 1L << 30, T0), Ct);
        return store;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
