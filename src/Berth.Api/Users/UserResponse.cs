namespace Berth.Api;

public sealed record UserResponse(string Username, bool IsAdmin, DateTimeOffset CreatedAt);
