namespace Berth.Core.Metadata;

/// <summary>
/// The counters behind login throttling: one per (account, client address) pair, and one per client address across
/// every account (<see cref="LoginThrottleEntry.AnyAccount"/>). Several nodes share them through PostgreSQL; one
/// embedded node keeps them in memory (<see cref="MemoryLoginThrottleStore"/>). The policy (how many failures,
/// how long a wait) is the caller's: the store only counts.
/// </summary>
public interface ILoginThrottleStore
{
    /// <summary>The pair's counter and the address's counter (each null when absent), in one round trip.</summary>
    Task<LoginThrottleState> GetAsync(string account, string address, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one failure on the pair and one on the address, each atomically (concurrent failures on any node are all
    /// counted); a counter whose last failure is older than <paramref name="forgetBefore"/> starts again at 1.
    /// </summary>
    Task<LoginThrottleState> RecordFailureAsync(string account, string address, DateTimeOffset now, DateTimeOffset forgetBefore,
        CancellationToken cancellationToken);

    /// <summary>A correct password: clears the pair's failures and records when it succeeded (the address counter stays).</summary>
    Task RecordSuccessAsync(string account, string address, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counters with failures, the last at or after <paramref name="since"/>, in (account, address) order after
    /// <paramref name="after"/>; at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<LoginThrottleEntry>> ListAsync(DateTimeOffset since, (string Account, string Address)? after, int limit,
        CancellationToken cancellationToken);

    /// <summary>
    /// Clears the failures of the counters matching <paramref name="account"/> and <paramref name="address"/> (null
    /// matches any; <see cref="LoginThrottleEntry.AnyAccount"/> names the address-wide counters); returns how many had any.
    /// </summary>
    Task<int> ClearAsync(string? account, string? address, CancellationToken cancellationToken);

    /// <summary>Forgets counters with no failure since <paramref name="failuresBefore"/> and no success since <paramref name="successesBefore"/>.</summary>
    Task PruneAsync(DateTimeOffset failuresBefore, DateTimeOffset successesBefore, CancellationToken cancellationToken);
}
