using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description,
    [property: JsonPropertyName("errors")] IReadOnlyList<OciError> Errors);
