namespace Berth.Core.Metadata;

/// <summary>
/// Login throttling counters in this process's memory: the default for one embedded node (a restart forgets them,
/// which only gives a guesser a fresh allowance of a few attempts). At most <see cref="MaxEntries"/> counters are
/// kept; past that the oldest are dropped first, so a flood of addresses costs bounded memory.
/// </summary>
public sealed class MemoryLoginThrottleStore : ILoginThrottleStore
{
    public const int MaxEntries = 200_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, string Address), LoginThrottleEntry> _entries = [];

    public Task<LoginThrottleState> GetAsync(string account, string address, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(new LoginThrottleState(Find(account, address), Find(LoginThrottleEntry.AnyAccount, address)));
        }
    }

    public Task<LoginThrottleState> RecordFailureAsync(string account, string address, DateTimeOffset now, DateTimeOffset forgetBefore,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_entries.Count >= MaxEntries)
            {
                DropOldest();
            }

            return Task.FromResult(new LoginThrottleState(
                Fail(account, address, now, forgetBefore),
                Fail(LoginThrottleEntry.AnyAccount, address, now, forgetBefore)));
        }
    }

    public Task RecordSuccessAsync(string account, string address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _entries[(account, address)] = new LoginThrottleEntry(account, address, 0, null, now);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LoginThrottleEntry>> ListAsync(DateTimeOffset since, (string Account, string Address)? after, int limit,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<LoginThrottleEntry> page = _entries.Values
                .Where(e => e.Failures > 0 && e.LastFailureAt >= since && (after is null || Compare(e, after.Value) > 0))
                .Order(Comparer<LoginThrottleEntry>.Create((a, b) => Compare(a, (b.Account, b.Address))))
                .Take(limit)
                .ToList();
            return Task.FromResult(page);
        }
    }

    public Task<int> ClearAsync(string? account, string? address, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var cleared = 0;
            foreach (var entry in _entries.Values.ToList())
            {
                if (entry.Failures > 0 && (account is null || entry.Account == account) && (address is null || entry.Address == address))
                {
                    _entries[(entry.Account, entry.Address)] = entry with { Failures = 0, LastFailureAt = null };
                    cleared++;
                }
            }

            return Task.FromResult(cleared);
        }
    }

    public Task PruneAsync(DateTimeOffset failuresBefore, DateTimeOffset successesBefore, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values.ToList())
            {
                if (!(entry.LastFailureAt >= failuresBefore) && !(entry.LastSuccessAt >= successesBefore))
                {
                    _entries.Remove((entry.Account, entry.Address));
                }
            }
        }

        return Task.CompletedTask;
    }

    private LoginThrottleEntry? Find(string account, string address) => _entries.GetValueOrDefault((account, address));

    private LoginThrottleEntry Fail(string account, string address, DateTimeOffset now, DateTimeOffset forgetBefore)
    {
        var entry = Find(account, address);
        var failures = entry?.LastFailureAt >= forgetBefore ? entry.Failures + 1 : 1;
        var updated = new LoginThrottleEntry(account, address, failures, now, entry?.LastSuccessAt);
        _entries[(account, address)] = updated;
        return updated;
    }

    private void DropOldest()
    {
        foreach (var entry in _entries.Values.OrderBy(e => Max(e.LastFailureAt, e.LastSuccessAt)).Take(MaxEntries / 10).ToList())
        {
            _entries.Remove((entry.Account, entry.Address));
        }
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset? b) =>
        (a ?? DateTimeOffset.MinValue) > (b ?? DateTimeOffset.MinValue) ? a!.Value : b ?? DateTimeOffset.MinValue;

    private static int Compare(LoginThrottleEntry entry, (string Account, string Address) key)
    {
        var byAccount = string.CompareOrdinal(entry.Account, key.Account);
        return byAccount != 0 ? byAccount : string.CompareOrdinal(entry.Address, key.Address);
    }
}
