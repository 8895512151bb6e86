namespace Berth.Core.Metadata;

/// <summary>The two counters that decide whether a login attempt may be checked.</summary>
public sealed record LoginThrottleState(LoginThrottleEntry? Pair, LoginThrottleEntry? Address);
