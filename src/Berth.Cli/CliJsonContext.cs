using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Cli;

/// <summary>
/// Source-generated (de)serialisation of what the CLI sends and reads: the management API's records, shared with the
/// server (Berth.Api, docs/api.md), with camelCase JSON (<see cref="JsonSerializerDefaults.Web"/>).
/// </summary>
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
[JsonSerializable(typeof(PasswordResetRequest))]
[JsonSerializable(typeof(AuditEventResponse))]
[JsonSerializable(typeof(List<AuditEventResponse>))]
[JsonSerializable(typeof(ResizeRequest))]
[JsonSerializable(typeof(DeleteConfirmation))]
[JsonSerializable(typeof(KubernetesSecretRequest))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(AdvisoryImportResult))]
[JsonSerializable(typeof(AdvisoryDatabaseStatus))]
[JsonSerializable(typeof(VulnerabilityReportView))]
[JsonSerializable(typeof(CreateNameRequest))]
[JsonSerializable(typeof(StoredConfig))]
[JsonSerializable(typeof(LoginThrottlePage))]
[JsonSerializable(typeof(LiftedThrottlesResponse))]
[JsonSerializable(typeof(MembershipResponse))]
[JsonSerializable(typeof(List<MembershipResponse>))]
[JsonSerializable(typeof(SetRoleRequest))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(List<UserResponse>))]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreatedTokenResponse))]
[JsonSerializable(typeof(AccessTokenResponse))]
[JsonSerializable(typeof(List<AccessTokenResponse>))]
[JsonSerializable(typeof(CreateRegistryTokenRequest))]
[JsonSerializable(typeof(CreatedRegistryTokenResponse))]
[JsonSerializable(typeof(List<RegistryTokenResponse>))]
[JsonSerializable(typeof(RevokeAllCredentialsResponse))]
[JsonSerializable(typeof(CreateFederationRuleRequest))]
[JsonSerializable(typeof(FederationRuleResponse))]
[JsonSerializable(typeof(List<FederationRuleResponse>))]
[JsonSerializable(typeof(ImmutabilityRequest))]
[JsonSerializable(typeof(ImmutabilityResponse))]
[JsonSerializable(typeof(RestoreRequest))]
[JsonSerializable(typeof(DeletedEntryResponse))]
[JsonSerializable(typeof(List<DeletedEntryResponse>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
