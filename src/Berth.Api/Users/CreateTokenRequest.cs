namespace Berth.Api;

public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);
