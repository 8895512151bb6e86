using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

[JsonSerializable(typeof(TokenClaims))]
[JsonSerializable(typeof(TokenHeader))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
