using Berth.Core.Metadata;

namespace Berth.Registry.Management;

public sealed record CreateNameRequest(string? Name);

public sealed record ProjectResponse(string Name, DateTimeOffset CreatedAt, int RegistryCount);

/// <summary>The only response that carries a registry password: the one at creation.</summary>
public sealed record CreatedRegistryResponse(string Name, string Project, string Endpoint, string Username, string Password, DateTimeOffset CreatedAt);

public sealed record RegistryResponse(
    string Name,
    string Project,
    string Endpoint,
    string Username,
    long StorageUsageBytes,
    long UploadBytes,
    long StorageLimitBytes,
    int RepositoryCount,
    DateTimeOffset CreatedAt);

public sealed record TagResponse(string Name, string Digest, DateTimeOffset UpdatedAt);

public sealed record ResizeRequest(long? StorageLimitGiB);

public sealed record PasswordResetResponse(string Username, string Password);

public sealed record DeleteConfirmation(string? Confirm);

public sealed record AuditEventResponse(DateTimeOffset At, string Actor, string Action, string Project, string? Registry, string? RemoteAddress, string? Detail)
{
    public static AuditEventResponse From(AuditEvent e) => new(e.At, e.Actor, e.Action, e.ProjectName, e.RegistryName, e.RemoteAddress, e.Detail);
}

public sealed record KubernetesSecretRequest(string? Namespace, string? SecretName, string? Password, bool ResetPassword);
