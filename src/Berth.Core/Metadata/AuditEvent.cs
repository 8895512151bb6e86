namespace Berth.Core.Metadata;

/// <summary>
/// Something an administrator or user did (password reset, registry delete, …): who, when, from where, on what.
/// Never carries a secret.
/// </summary>
public sealed record AuditEvent(
    DateTimeOffset At,
    string Actor,
    string Action,
    string ProjectId,
    string ProjectName,
    string? RegistryId,
    string? RegistryName,
    string? RemoteAddress,
    string? Detail);
