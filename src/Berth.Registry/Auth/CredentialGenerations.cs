using System.Collections.Concurrent;
using Berth.Core.Metadata;

namespace Berth.Registry.Auth;

/// <summary>
/// The current credential generation of each registry, held in memory so the hot path (every /v2 request)
/// checks revocation without a query. A password reset or registry delete publishes the new state here the
/// moment it is committed, which is what makes revocation immediate; a missing registry is remembered as -1
/// (registry ids are random and never reused, so that entry never goes stale). A reset with an overlap also
/// publishes until when the previous generation (the replaced password and its tokens) stays good: that is checked
/// against the clock on each use, so the overlap ends by itself without anyone publishing anything.
/// </summary>
public sealed class CredentialGenerations(ITenantStore store, TimeProvider time)
{
    private static readonly State Deleted = new(-1, null);
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>True for the registry's current generation, and for the one before it while a reset's overlap lasts.</summary>
    public async ValueTask<bool> IsCurrentAsync(string registryId, long generation, CancellationToken cancellationToken)
    {
        var state = await GetAsync(registryId, cancellationToken);
        return state != Deleted
            && (generation == state.Generation || (generation == state.Generation - 1 && state.PreviousValidUntil > time.GetUtcNow()));
    }

    /// <summary>The registry's current generation, or null when it is gone (what a new principal for it carries).</summary>
    public async ValueTask<long?> CurrentAsync(string registryId, CancellationToken cancellationToken) =>
        await GetAsync(registryId, cancellationToken) is var state && state != Deleted ? state.Generation : null;

    /// <summary>True while the registry exists (its access tokens, which outlive password resets, ask only this).</summary>
    public async ValueTask<bool> ExistsAsync(string registryId, CancellationToken cancellationToken) =>
        await GetAsync(registryId, cancellationToken) != Deleted;

    /// <summary>
    /// Records a registry's new generation (after a password reset, here or on another node), and until when the
    /// previous one stays good (null: not at all).
    /// </summary>
    /// <remarks>
    /// Generations only move forward, an overlap of a generation only gets shorter (revoked early; a longer one needs a
    /// new reset, hence a new generation) and deletion is final, so a late publish of an older read can't undo a reset
    /// or a revocation.
    /// </remarks>
    public void Publish(string registryId, long generation, DateTimeOffset? previousValidUntil)
    {
        var next = new State(generation, previousValidUntil);
        _states.AddOrUpdate(registryId, next, (_, old) =>
            old == Deleted || old.Generation > generation ? old
            : old.Generation < generation ? next
            : new State(generation, old.PreviousValidUntil is { } a && previousValidUntil is { } b ? (a < b ? a : b) : null));
    }

    /// <summary>Records that a registry is gone: every credential and token of it fails from now on.</summary>
    public void PublishDeleted(string registryId) => _states[registryId] = Deleted;

    /// <summary>Forgets everything, so every next check reads the store (when change notifications may have been missed).</summary>
    public void ForgetAll() => _states.Clear();

    private async ValueTask<State> GetAsync(string registryId, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(registryId, out var state))
        {
            var stored = await store.GetCredentialStateAsync(registryId, cancellationToken);
            state = _states.GetOrAdd(registryId, stored is null ? Deleted : new State(stored.Generation, stored.PreviousValidUntil));
        }

        return state;
    }

    private sealed record State(long Generation, DateTimeOffset? PreviousValidUntil);
}
