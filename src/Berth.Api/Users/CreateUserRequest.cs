namespace Berth.Api;

public sealed record CreateUserRequest(string? Username, string? Password, bool Admin);
