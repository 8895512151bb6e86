namespace Berth.Api;

/// <summary>The only response that carries an access token: the one at creation.</summary>
public sealed record CreatedTokenResponse(string Id, string Name, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
