namespace Berth.Api;

/// <summary>
/// Response of <c>POST /api/v1/registries/{name}/password</c>: the new password, shown once; until when the previous
/// one still works (null: it stopped at once); and the registry's access tokens, which a reset leaves working
/// (revoke-all ends them too).
/// </summary>
public sealed record PasswordResetResponse(string Username, string Password, DateTimeOffset? PreviousPasswordValidUntil,
    IReadOnlyList<RegistryTokenSummary> AccessTokensStillValid);
