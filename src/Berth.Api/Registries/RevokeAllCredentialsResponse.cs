namespace Berth.Api;

/// <summary>
/// Response of <c>POST /api/v1/registries/{name}/credentials/revoke-all</c>: the new password (shown once) and the access
/// tokens revoked with the old one.
/// </summary>
public sealed record RevokeAllCredentialsResponse(string Username, string Password, int RevokedTokenCount, IReadOnlyList<RegistryTokenSummary> RevokedTokens);
