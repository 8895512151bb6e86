namespace Berth.Registry.Auth;

public sealed record IssuedToken(string Token, DateTimeOffset IssuedAt, TimeSpan Lifetime);
