using System.Collections.Concurrent;
using Berth.Core.Metadata;

namespace Berth.Registry.Auth;

/// <summary>
/// The current credential generation of each registry, held in memory so the hot path (every /v2 request)
/// checks revocation without a query. A password reset or registry delete publishes the new state here the
/// moment it is committed, which is what makes revocation immediate; a missing registry is remembered as -1
/// (registry ids are random and never reused, so that entry never goes stale).
/// </summary>
public sealed class CredentialGenerations(ITenantStore store)
{
    private const long Deleted = -1;
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsCurrentAsync(string registryId, long generation, CancellationToken cancellationToken)
    {
        var current = await GetAsync(registryId, cancellationToken);
        return current != Deleted && current == generation;
    }

    /// <summary>True while the registry exists (its access tokens, which outlive password resets, ask only this).</summary>
    public async ValueTask<bool> ExistsAsync(string registryId, CancellationToken cancellationToken) =>
        await GetAsync(registryId, cancellationToken) != Deleted;

    private async ValueTask<long> GetAsync(string registryId, CancellationToken cancellationToken)
    {
        if (!_generations.TryGetValue(registryId, out var current))
        {
            current = await store.GetCredentialGenerationAsync(registryId, cancellationToken) ?? Deleted;
            current = _generations.GetOrAdd(registryId, current);
        }

        return current;
    }

    /// <summary>Records a registry's new generation (after a password reset, here or on another node).</summary>
    /// <remarks>Generations only move forward and deletion is final, so a late publish of an older read can't undo a reset.</remarks>
    public void Publish(string registryId, long generation) =>
        _generations.AddOrUpdate(registryId, generation, (_, old) => old == Deleted ? Deleted : Math.Max(old, generation));

    /// <summary>Records that a registry is gone: every credential and token of it fails from now on.</summary>
    public void PublishDeleted(string registryId) => _generations[registryId] = Deleted;

    /// <summary>Forgets everything, so every next check reads the store (when change notifications may have been missed).</summary>
    public void ForgetAll() => _generations.Clear();
}
