using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

internal sealed class TokenHeader
{
    [JsonPropertyName("alg")]
    public string? Algorithm { get; set; }

    [JsonPropertyName("kid")]
    public string? KeyId { get; set; }
}
