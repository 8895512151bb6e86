using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;
using Berth.Registry.Observability;

namespace Berth.Registry.Auth;

/// <summary>
/// Slows password guessing without ever locking out the rightful user. Failures are counted per client (one account
/// from one address) and per address across accounts; past a few, that client, or that address for accounts it has
/// never signed in as, must wait before its next attempt is checked (<see cref="AuthOptions.FirstLoginDelay"/>,
/// doubling up to <see cref="AuthOptions.MaxLoginDelay"/>), and gets <c>429</c> with <c>Retry-After</c> meanwhile, without a hash
/// being computed. Nothing counted at one address ever slows another, and a client still sending a password that
/// was replaced is told so and never counted. The counters live in <see cref="ILoginThrottleStore"/>, shared by every
/// node on PostgreSQL.
/// </summary>
public sealed partial class LoginThrottle(
    ILoginThrottleStore store,
    BerthMetrics metrics,
    TimeProvider time,
    IOptions<BerthOptions> options,
    ILogger<LoginThrottle> logger)
{
    // A known client's success is written again at most this often, so steady correct logins cost no writes.
    private static readonly TimeSpan SuccessRefresh = TimeSpan.FromDays(1);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);

    private readonly AuthOptions _options = options.Value.Auth;
    private long _nextPruneTicks;

    /// <summary>The counters of an attempt that may be checked now (pass them to <see cref="RecordSuccessAsync"/>).</summary>
    /// <exception cref="LoginRefusedException">the client or its address must wait (429)</exception>
    public async ValueTask<LoginThrottleState> CheckAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var state = await store.GetAsync(attempt.Account, attempt.Address, cancellationToken);
        if (Wait(state, time.GetUtcNow(), _options) is { } wait)
        {
            metrics.LoginThrottled(attempt.Kind, wait.Scope);
            LogThrottled(logger, attempt.Kind, attempt.Username, attempt.Address, wait.Scope, (int)Math.Ceiling(wait.Duration.TotalSeconds));
            throw LoginRefusedException.Throttled(wait.Duration);
        }

        return state;
    }

    /// <summary>A wrong password (or an unknown account): counted for the client and its address.</summary>
    public async ValueTask RecordFailureAsync(LoginAttempt attempt, string reason, CancellationToken cancellationToken)
    {
        metrics.LoginFailed(attempt.Kind, reason);
        LogFailed(logger, attempt.Kind, attempt.Username, attempt.Address, reason);
        var now = time.GetUtcNow();
        await store.RecordFailureAsync(attempt.Account, attempt.Address, now, now - _options.FailedLoginMemory, cancellationToken);
        if (now.UtcTicks >= Interlocked.Read(ref _nextPruneTicks))
        {
            Interlocked.Exchange(ref _nextPruneTicks, (now + PruneInterval).UtcTicks);
            await store.PruneAsync(now - _options.FailedLoginMemory, now - _options.KnownClientMemory, cancellationToken);
        }
    }

    /// <summary>The password a reset or change replaced: logged and counted, never toward throttling.</summary>
    public void RecordPreviousPassword(LoginAttempt attempt, DateTimeOffset replacedAt)
    {
        metrics.LoginFailed(attempt.Kind, "previous_password");
        LogPreviousPassword(logger, attempt.Kind, attempt.Username, attempt.Address, replacedAt);
    }

    /// <summary>A correct password: clears the client's failures and remembers it as known at its address.</summary>
    public async ValueTask RecordSuccessAsync(LoginAttempt attempt, LoginThrottleState state, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (state.Pair is not { Failures: 0 } pair || !(pair.LastSuccessAt > now - SuccessRefresh))
        {
            await store.RecordSuccessAsync(attempt.Account, attempt.Address, now, cancellationToken);
        }
    }

    /// <summary>Counters with failures not yet forgotten, in (account, address) order after <paramref name="after"/>.</summary>
    public async ValueTask<IReadOnlyList<LoginThrottleEntry>> ListAsync((string Account, string Address)? after, int limit, CancellationToken cancellationToken) =>
        await store.ListAsync(time.GetUtcNow() - _options.FailedLoginMemory, after, limit, cancellationToken);

    /// <summary>Until when attempts under this counter must wait, or null when they may go ahead now.</summary>
    public DateTimeOffset? ThrottledUntil(LoginThrottleEntry entry)
    {
        var now = time.GetUtcNow();
        var until = Until(entry, entry.Account == LoginThrottleEntry.AnyAccount ? _options.MaxFailedLoginsPerAddress : _options.FailedLoginsBeforeDelay, now, _options);
        return until > now ? until : null;
    }

    /// <summary>An administrator clears the failures of the matching counters (null matches any); returns how many.</summary>
    public async ValueTask<int> LiftAsync(string? account, string? address, string liftedBy, CancellationToken cancellationToken)
    {
        var cleared = await store.ClearAsync(account, address, cancellationToken);
        LogLifted(logger, account ?? "(any)", address ?? "(any)", cleared, liftedBy);
        return cleared;
    }

    /// <summary>
    /// True when <paramref name="password"/> is the one a reset or change replaced within
    /// <see cref="AuthOptions.PreviousPasswordWindow"/> (one more slow hash, only for a password that already failed).
    /// </summary>
    public bool IsPreviousPassword(string password, string? previousHash, DateTimeOffset? replacedAt) =>
        previousHash is not null && replacedAt > time.GetUtcNow() - _options.PreviousPasswordWindow && PasswordHasher.Verify(password, previousHash);

    /// <summary>How long an attempt with these counters must still wait, and which counter makes it (client or address).</summary>
    internal static (TimeSpan Duration, string Scope)? Wait(LoginThrottleState state, DateTimeOffset now, AuthOptions options)
    {
        var client = Until(state.Pair, options.FailedLoginsBeforeDelay, now, options);
        var known = state.Pair?.LastSuccessAt > now - options.KnownClientMemory;
        var address = known ? null : Until(state.Address, options.MaxFailedLoginsPerAddress, now, options);
        var (until, scope) = (address ?? DateTimeOffset.MinValue) > (client ?? DateTimeOffset.MinValue) ? (address, "address") : (client, "client");
        return until > now ? (until.Value - now, scope) : null;
    }

    /// <summary>The wait after <paramref name="failures"/>: none before <paramref name="allowed"/>, then the first delay doubling to the cap.</summary>
    internal static TimeSpan Delay(int failures, int allowed, AuthOptions options) =>
        failures < allowed ? TimeSpan.Zero
        : TimeSpan.FromTicks((long)Math.Min(options.MaxLoginDelay.Ticks, options.FirstLoginDelay.Ticks * Math.Pow(2, failures - allowed)));

    private static DateTimeOffset? Until(LoginThrottleEntry? entry, int allowed, DateTimeOffset now, AuthOptions options) =>
        entry?.LastFailureAt is { } last && last > now - options.FailedLoginMemory
            ? last + Delay(entry.Failures, allowed, options)
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed login for {Kind} {Username} from {Address}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string kind, string username, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Login for {Kind} {Username} from {Address} used the password replaced at {ReplacedAt:O}: a stale client, not counted toward throttling")]
    private static partial void LogPreviousPassword(ILogger logger, string kind, string username, string address, DateTimeOffset replacedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login throttles lifted for {Account} at {Address}: {Cleared} cleared by {LiftedBy}")]
    private static partial void LogLifted(ILogger logger, string account, string address, int cleared, string liftedBy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login for {Kind} {Username} from {Address} throttled ({Scope}): retry in {RetryAfterSeconds} s")]
    private static partial void LogThrottled(ILogger logger, string kind, string username, string address, string scope, int retryAfterSeconds);
}
