using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Tenancy;

namespace Berth.Registry.Auth;

/// <summary>
/// Outcomes of slow password checks, remembered for a short while under a keyed hash of username and password (never
/// the password itself): the account the password proved, or that it is the password a reset replaced (an account of
/// null). Each entry carries the version it was made under (credential generation, security stamp); the caller drops
/// it once that has moved on, so a reset still takes effect at once.
/// </summary>
public sealed class VerificationCache<T>(TimeProvider time, TimeSpan lifetime)
    where T : class
{
    private const int MaxEntries = 10_000;

    private readonly byte[] _key = Secrets.NewKey();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Key(string username, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(username + "\0" + password)));

    public Entry? Get(string key) => _entries.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry : null;

    /// <param name="account">What the password proved; null when it is the replaced password (then <paramref name="replacedAt"/> is set).</param>
    public void Remember(string key, T? account, string id, long version, DateTimeOffset? replacedAt)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(account, id, version, replacedAt, time.GetUtcNow() + lifetime);
    }

    public void Forget(string key) => _entries.TryRemove(key, out _);

    /// <param name="Id">The registry or user id, whose current version decides whether the entry still holds.</param>
    public sealed record Entry(T? Account, string Id, long Version, DateTimeOffset? ReplacedAt, DateTimeOffset ExpiresAt);
}
