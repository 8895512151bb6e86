using System.Text.Json.Serialization;
using Berth.Core.Metadata;

namespace Berth.Api;

public sealed record MembershipResponse(string Project, string Username, [property: JsonConverter(typeof(LowercaseRoleConverter))] ProjectRole Role);
