namespace Berth.Registry.Auditing;

/// <summary>Who did something, for the audit log.</summary>
public sealed record AuditActor(string Name, string? RemoteAddress)
{
    public static AuditActor From(HttpContext context) =>
        new(context.User.Identity?.Name ?? "anonymous", context.Connection.RemoteIpAddress?.ToString());
}
