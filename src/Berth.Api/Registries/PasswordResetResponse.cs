namespace Berth.Api;

/// <summary>
/// Response of <c>POST /api/v1/registries/{name}/password</c>: the new password, shown once, and until when the previous
/// one still works (null: it stopped at once).
/// </summary>
public sealed record PasswordResetResponse(string Username, string Password, DateTimeOffset? PreviousPasswordValidUntil = null);
