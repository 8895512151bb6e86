namespace Berth.Api;

/// <summary>An entry of <c>GET …/audit</c>. Never carries a password.</summary>
public sealed record AuditEventResponse(DateTimeOffset At, string Actor, string Action, string Project, string? Registry, string? RemoteAddress, string? Detail);
