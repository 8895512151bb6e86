namespace Berth.Api;

/// <summary>
/// Optional body of <c>POST /api/v1/registries/{name}/password</c>. <see cref="KeepPreviousFor"/> (<c>30m</c>,
/// <c>24h</c>, <c>7d</c> or a TimeSpan such as <c>1.00:00:00</c>; at most 7 days) keeps the previous password working
/// that long; without it the previous password stops at once.
/// </summary>
public sealed record PasswordResetRequest(string? KeepPreviousFor);
