using System.Collections.Concurrent;
using Berth.Core.Metadata;

namespace Berth.Registry.Federation;

/// <summary>
/// Which federation rules still exist, held in memory so that checking a token issued under a rule costs no query on
/// the hot path. Rules are never changed, only deleted, and their ids are never reused: a rule found alive stays
/// alive here until its delete is published (<see cref="PublishDeleted"/>, on this node at once, on others through
/// the credential change feed), and a deleted one stays a tombstone.
/// </summary>
public sealed class FederationRules(IFederationStore store)
{
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, bool> _alive = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsAliveAsync(string ruleId, CancellationToken cancellationToken)
    {
        if (_alive.TryGetValue(ruleId, out var alive))
        {
            return alive;
        }

        if (_alive.Count >= MaxEntries)
        {
            _alive.Clear();
        }

        alive = await store.GetFederationRuleAsync(ruleId, cancellationToken) is not null;

        // A delete published while the store was read wins over what was read.
        return _alive.GetOrAdd(ruleId, alive);
    }

    /// <summary>Records that a rule is gone: every token issued under it fails from now on.</summary>
    public void PublishDeleted(string ruleId) => _alive[ruleId] = false;

    /// <summary>Forgets everything, so every next check reads the store (when change notifications may have been missed).</summary>
    public void ForgetAll() => _alive.Clear();
}
