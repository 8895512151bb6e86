using System.Collections.Concurrent;
using System.Net;
using Berth.Registry.Hosting;

namespace Berth.Registry.Auth;

/// <summary>
/// Brute-force protection for password checks (token endpoint and Basic auth on /v2): failures are counted per
/// username and per client address in fixed windows; past the limit that username or address is locked out for
/// a window, and gets 429 with Retry-After without its password even being hashed.
/// </summary>
public sealed class LoginThrottle(TimeProvider time, IOptions<BerthOptions> options)
{
    private const int MaxTrackedKeys = 100_000;

    private readonly AuthOptions _options = options.Value.Auth;
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait, or null when it may try a password now.</summary>
    public TimeSpan? RetryAfter(string username, IPAddress? address)
    {
        var now = time.GetUtcNow();
        var wait = Locked(UserKey(username), now);
        if (address is not null && Locked(AddressKey(address), now) is { } addressWait && (wait is null || addressWait > wait))
        {
            wait = addressWait;
        }

        return wait;
    }

    public void RecordFailure(string username, IPAddress? address)
    {
        var now = time.GetUtcNow();
        if (_counters.Count > MaxTrackedKeys)
        {
            Prune(now);
        }

        Count(UserKey(username), _options.MaxFailedLoginsPerUser, now);
        if (address is not null)
        {
            Count(AddressKey(address), _options.MaxFailedLoginsPerAddress, now);
        }
    }

    /// <summary>A correct password clears the username's failures (the address keeps its count).</summary>
    public void RecordSuccess(string username) => _counters.TryRemove(UserKey(username), out _);

    private TimeSpan? Locked(string key, DateTimeOffset now) =>
        _counters.TryGetValue(key, out var counter) && counter.LockedUntil > now ? counter.LockedUntil - now : null;

    private void Count(string key, int limit, DateTimeOffset now)
    {
        var counter = _counters.GetOrAdd(key, _ => new Counter());
        lock (counter)
        {
            if (now - counter.WindowStart >= _options.LockoutWindow)
            {
                counter.WindowStart = now;
                counter.Failures = 0;
            }

            if (++counter.Failures >= limit)
            {
                counter.LockedUntil = now + _options.LockoutWindow;
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, counter) in _counters)
        {
            if (counter.LockedUntil <= now && now - counter.WindowStart >= _options.LockoutWindow)
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private static string UserKey(string username) => "u:" + username;

    private static string AddressKey(IPAddress address) => "a:" + address;

    private sealed class Counter
    {
        public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.MinValue;

        public int Failures { get; set; }

        public DateTimeOffset LockedUntil { get; set; } = DateTimeOffset.MinValue;
    }
}

/// <summary>Thrown instead of checking a password while its username or client address is locked out.</summary>
public sealed class LoginThrottledException(TimeSpan retryAfter) : Exception("too many failed login attempts")
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public string RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
