namespace Berth.Api;

/// <summary>Response of <c>POST /api/v1/registries/{name}/password</c>: the new password, shown once.</summary>
public sealed record PasswordResetResponse(string Username, string Password);
