namespace Berth.Api;

public sealed record SetRoleRequest(string? Role);
