using Berth.Core.Metadata;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.Registry.Tests.Auth;

/// <summary>
/// Revocation is final in the verifier's memory: a load of the token that was in flight when the revocation arrived
/// (from this node or another) can't bring it back.
/// </summary>
public sealed class RegistryTokenVerifierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ALoadThatFinishesAfterTheRevocationDoesNotResurrectTheToken()
    {
        var store = new SlowStore();
        var verifier = NewVerifier(store);

        var loading = verifier.ActiveAsync("t1", "r1", CancellationToken.None).AsTask();
        await store.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        verifier.Revoked("t1");

        // The read began before the revocation committed: it still says the token is live.
        store.Release.SetResult();
        Assert.Null(await loading);
        Assert.Null(await verifier.ActiveAsync("t1", "r1", CancellationToken.None));

        // Forgetting what may be stale (after a reconnection) keeps what is final.
        verifier.ForgetAll();
        Assert.Null(await verifier.ActiveAsync("t1", "r1", CancellationToken.None));
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task ALiveTokenIsLoadedOnceAndLimitedToItsScopesAndRegistry()
    {
        var store = new SlowStore();
        store.Release.SetResult();
        var verifier = NewVerifier(store);

        var principal = await verifier.ActiveAsync("t1", "r1", CancellationToken.None);
        Assert.Equal((RepositoryActions.Pull, "t1", "web"), (principal?.WholeRegistry, principal?.RegistryTokenId, principal?.RegistryName));
        Assert.Equal(RepositoryActions.None, principal!.ActionsOn("web/lib/x", "lib/x"));
        Assert.Equal(RepositoryActions.Pull, principal.ActionsOn("web/api/x", "api/x"));
        Assert.Null(await verifier.ActiveAsync("t1", "other-registry", CancellationToken.None));
        Assert.Equal(1, store.Reads);
    }

    private static RegistryTokenVerifier NewVerifier(SlowStore store)
    {
        // The registry is known to exist (published), so nothing below reads the tenant store; the throttle, audit
        // and metrics serve sign-ins, which these tests don't make.
        var generations = new CredentialGenerations(null!, TimeProvider.System);
        generations.Publish("r1", 1, previousValidUntil: null);
        generations.Publish("other-registry", 1, previousValidUntil: null);
        return new RegistryTokenVerifier(store, null!, null!, generations, null!, null!, TimeProvider.System,
            Options.Create(new BerthOptions()), NullLogger<RegistryTokenVerifier>.Instance);
    }

    /// <summary>A store whose read of token t1 (live, pull on api/*) waits for <see cref="Release"/>.</summary>
    private sealed class SlowStore : IRegistryTokenStore
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Reads { get; private set; }

        public async Task<RegistryTokenCredential?> GetRegistryTokenAsync(string tokenId, CancellationToken cancellationToken)
        {
            Reads++;
            Started.TrySetResult();
            await Release.Task;
            return new RegistryTokenCredential(
                new RegistryTokenRecord(tokenId, "r1", "ci", new string('0', 64), "pull", ["api/*"], T0, null, null, null, null, null), "web");
        }

        public Task CreateRegistryTokenAsync(RegistryTokenRecord token, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<RegistryTokenRecord>> ListRegistryTokensAsync(string registryId, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<bool> RevokeRegistryTokenAsync(string registryId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<CredentialsRevocation?> RevokeAllCredentialsAsync(string registryId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<bool> TouchRegistryTokenAsync(string tokenId, DateTimeOffset now, string? from, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
