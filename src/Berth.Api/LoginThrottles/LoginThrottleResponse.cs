namespace Berth.Api;

/// <summary>
/// One throttling counter as administrators see it: a client (<see cref="Kind"/> <c>registry</c> or <c>user</c> with
/// its <see cref="Username"/>, from one address), or an address across every account (<see cref="Kind"/> <c>address</c>,
/// no username). <see cref="ThrottledUntil"/> is set while its attempts are refused with 429.
/// </summary>
public sealed record LoginThrottleResponse(string Kind, string? Username, string Address, int Failures, DateTimeOffset? LastFailureAt, DateTimeOffset? ThrottledUntil);
