namespace Berth.Api;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
