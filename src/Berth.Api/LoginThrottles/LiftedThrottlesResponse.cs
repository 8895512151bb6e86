namespace Berth.Api;

/// <summary>Response of <c>DELETE /api/v1/login-throttles</c>: how many counters were cleared.</summary>
public sealed record LiftedThrottlesResponse(int Cleared);
