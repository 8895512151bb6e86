using System.Text.Json.Serialization;

namespace Berth.Registry.Auth;

internal sealed class TokenClaims
{
    [JsonPropertyName("iss")]
    public string? Issuer { get; set; }

    [JsonPropertyName("sub")]
    public string? Subject { get; set; }

    [JsonPropertyName("aud")]
    public string? Audience { get; set; }

    [JsonPropertyName("exp")]
    public long Expires { get; set; }

    [JsonPropertyName("nbf")]
    public long NotBefore { get; set; }

    [JsonPropertyName("iat")]
    public long IssuedAt { get; set; }

    [JsonPropertyName("jti")]
    public string? Id { get; set; }

    [JsonPropertyName("access")]
    public List<AccessGrant>? Access { get; set; }

    /// <summary>Registry id: a name can be reused after a delete, an id never.</summary>
    [JsonPropertyName("rid")]
    public string? RegistryId { get; set; }

    /// <summary>Credential generation the token was issued under.</summary>
    [JsonPropertyName("gen")]
    public long Generation { get; set; }

    [JsonPropertyName("knd")]
    public TokenKind Kind { get; set; }

    /// <summary>For tokens issued to a user's access token: the registry (the subject is then the user).</summary>
    [JsonPropertyName("reg")]
    public string? RegistryName { get; set; }

    /// <summary>The user's access token this token was issued to; checked on every use.</summary>
    [JsonPropertyName("tid")]
    public string? AccessTokenId { get; set; }

    /// <summary>The registry access token this token was issued from; checked on every use (instead of the generation).</summary>
    [JsonPropertyName("rtk")]
    public string? RegistryTokenId { get; set; }

    /// <summary>The federation rule the token was issued under; checked on every use (a deleted rule's tokens die).</summary>
    [JsonPropertyName("frl")]
    public string? FederationRuleId { get; set; }

    /// <summary>The repository patterns of a limited credential: the token acts on nothing outside them.</summary>
    [JsonPropertyName("rep")]
    public List<string>? Repositories { get; set; }

    /// <summary>
    /// For a registry token (no <see cref="Access"/> list): the actions it allows on every repository (within
    /// <see cref="Repositories"/>), e.g. <c>pull,push</c>.
    /// </summary>
    [JsonPropertyName("wra")]
    public string? WholeRegistry { get; set; }
}
