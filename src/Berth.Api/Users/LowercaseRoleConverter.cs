using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Core.Metadata;

namespace Berth.Api;

/// <summary>Roles travel as "viewer", "developer", "owner": the words the API takes in.</summary>
public sealed class LowercaseRoleConverter() : JsonStringEnumConverter<ProjectRole>(JsonNamingPolicy.CamelCase);
