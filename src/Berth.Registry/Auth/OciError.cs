using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

public sealed record OciError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);
