namespace Berth.Api;

public sealed record MeResponse(string Username, bool IsAdmin, IReadOnlyList<MembershipResponse> Projects);
