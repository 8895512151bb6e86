using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Cli;

// Records mirroring docs/api.md. Property names map to camelCase JSON (JsonSerializerDefaults.Web).

public sealed record Project(string Name, DateTimeOffset CreatedAt, int RegistryCount);

/// <summary>Response of <c>POST /api/v1/projects/{project}/registries</c>: the only one that carries the password.</summary>
public sealed record CreatedRegistry(
    string Name, string Project, string Endpoint, string Username, string Password, DateTimeOffset CreatedAt);

public sealed record RegistryDetail(
    string Name,
    string Project,
    string Endpoint,
    string Username,
    long StorageUsageBytes,
    long UploadBytes,
    long? StorageLimitBytes,
    int RepositoryCount,
    DateTimeOffset CreatedAt);

public sealed record Repository(
    string Name, int TagCount, int ArtifactCount, long SizeBytes, long PullCount, DateTimeOffset? LastPulledAt, DateTimeOffset UpdatedAt);

public sealed record Tag(string Name, string Digest, DateTimeOffset UpdatedAt);

/// <summary>Response of <c>POST /api/v1/registries/{name}/password</c>: the new password, shown once.</summary>
public sealed record PasswordReset(string Username, string Password);

/// <summary>An entry of <c>GET …/audit</c>. Never carries a password.</summary>
public sealed record AuditEvent(
    DateTimeOffset At, string Actor, string Action, string Project, string? Registry, string? RemoteAddress, string? Detail);

/// <summary>Body of <c>PATCH /api/v1/registries/{name}</c>.</summary>
public sealed record ResizeRequest(long StorageLimitGiB);

/// <summary>Body of <c>DELETE /api/v1/registries/{name}</c>: the registry's exact name.</summary>
public sealed record DeleteConfirmation(string Confirm);

public sealed record KubernetesSecretRequest(string Namespace, string SecretName, string? Password, bool ResetPassword);

/// <summary>Response of <c>POST /api/v1/vulndb</c>.</summary>
public sealed record AdvisoryImport(
    string Source, int Added, int Updated, int Unchanged, int Rejected, List<AdvisoryImportError> Errors, long DatabaseVersion, int RescansQueued);

public sealed record AdvisoryImportError(string Location, string Message);

/// <summary>Response of <c>GET /api/v1/vulndb</c>.</summary>
/// <summary>One counter of <c>GET /api/v1/login-throttles</c>: a client (kind and username at an address) or an address.</summary>
public sealed record LoginThrottle(string Kind, string? Username, string Address, int Failures, DateTimeOffset? LastFailureAt, DateTimeOffset? ThrottledUntil);

public sealed record LoginThrottlePage(List<LoginThrottle> Items, string? Next);

public sealed record LiftedThrottles(int Cleared);

public sealed record AdvisoryDatabase(long Version, long AdvisoryCount, DateTimeOffset? LastImportedAt, List<AdvisorySource> Sources);

public sealed record AdvisorySource(string Source, long AdvisoryCount, DateTimeOffset LastImportedAt, DateTimeOffset? NewestModified);

/// <summary>Response of <c>GET …/manifests/{reference}/vulnerabilities</c> (an index: one per platform in <see cref="Platforms"/>).</summary>
public sealed record VulnerabilityReport(
    string Digest,
    string? Platform,
    string Status,
    string? Reason,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? FinishedAt,
    long? AdvisoryDatabaseVersion,
    bool Outdated,
    SeveritySummary? Summary,
    ScannedOs? Os,
    int? PackageCount,
    List<VulnerabilityFinding> Findings,
    List<VulnerabilityReport> Platforms);

public sealed record SeveritySummary(int Critical, int High, int Medium, int Low, int Unknown, int Total);

public sealed record ScannedOs(string Id, string? VersionId);

public sealed record VulnerabilityFinding(
    string AdvisoryId, List<string> Aliases, string Package, string InstalledVersion, string? FixedVersion, string Severity, double? CvssScore, string? Summary);

/// <summary>RFC 7807 problem details.</summary>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail);

/// <summary>Body of the create requests (<c>{"name":"…"}</c>).</summary>
public sealed record CreateRequest(string Name);

/// <summary>The config file written by <c>berth login</c>.</summary>
public sealed record StoredConfig(string? Url, string? Username, string? Password);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(List<Project>))]
[JsonSerializable(typeof(CreatedRegistry))]
[JsonSerializable(typeof(RegistryDetail))]
[JsonSerializable(typeof(List<RegistryDetail>))]
[JsonSerializable(typeof(Repository))]
[JsonSerializable(typeof(List<Repository>))]
[JsonSerializable(typeof(Tag))]
[JsonSerializable(typeof(List<Tag>))]
[JsonSerializable(typeof(PasswordReset))]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(List<AuditEvent>))]
[JsonSerializable(typeof(ResizeRequest))]
[JsonSerializable(typeof(DeleteConfirmation))]
[JsonSerializable(typeof(KubernetesSecretRequest))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(AdvisoryImport))]
[JsonSerializable(typeof(AdvisoryDatabase))]
[JsonSerializable(typeof(VulnerabilityReport))]
[JsonSerializable(typeof(CreateRequest))]
[JsonSerializable(typeof(StoredConfig))]
[JsonSerializable(typeof(LoginThrottlePage))]
[JsonSerializable(typeof(LiftedThrottles))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
