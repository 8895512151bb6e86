using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthError))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TokenResponseContext : JsonSerializerContext;
