using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api;

namespace Berth.Cli;

// Records mirroring docs/api.md. Property names map to camelCase JSON (JsonSerializerDefaults.Web).

/// <summary>Response of <c>POST /api/v1/vulndb</c>.</summary>
public sealed record AdvisoryImport(
    string Source, int Added, int Updated, int Unchanged, int Rejected, List<AdvisoryImportError> Errors, long DatabaseVersion, int RescansQueued);

public sealed record AdvisoryImportError(string Location, string Message);

/// <summary>Response of <c>GET /api/v1/vulndb</c>.</summary>
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

/// <summary>The config file written by <c>berth login</c>.</summary>
public sealed record StoredConfig(string? Url, string? Username, string? Password);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ProjectResponse))]
[JsonSerializable(typeof(List<ProjectResponse>))]
[JsonSerializable(typeof(CreatedRegistryResponse))]
[JsonSerializable(typeof(RegistryResponse))]
[JsonSerializable(typeof(List<RegistryResponse>))]
[JsonSerializable(typeof(RepositoryView))]
[JsonSerializable(typeof(List<RepositoryView>))]
[JsonSerializable(typeof(TagResponse))]
[JsonSerializable(typeof(List<TagResponse>))]
[JsonSerializable(typeof(PasswordResetResponse))]
[JsonSerializable(typeof(AuditEventResponse))]
[JsonSerializable(typeof(List<AuditEventResponse>))]
[JsonSerializable(typeof(ResizeRequest))]
[JsonSerializable(typeof(DeleteConfirmation))]
[JsonSerializable(typeof(KubernetesSecretRequest))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(AdvisoryImport))]
[JsonSerializable(typeof(AdvisoryDatabase))]
[JsonSerializable(typeof(VulnerabilityReport))]
[JsonSerializable(typeof(CreateNameRequest))]
[JsonSerializable(typeof(StoredConfig))]
[JsonSerializable(typeof(LoginThrottlePage))]
[JsonSerializable(typeof(LiftedThrottlesResponse))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
