using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Berth.Registry.Federation;

/// <summary>
/// A compact JWS as presented (an OIDC ID token, or Berth's own registry token): its header's algorithm and key id,
/// its claims, and what the signature covers. Parsing checks only the shape; nothing in it is trusted until
/// <see cref="IdTokenValidator"/> has verified the signature.
/// </summary>
public sealed class IdToken
{
    /// <summary>Longer tokens are refused unread (ID tokens are a few KiB).</summary>
    public const int MaxLength = 16 * 1024;

    private IdToken(string algorithm, string? keyId, JsonElement claims, byte[] signingInput, byte[] signature)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    public string Algorithm { get; }

    public string? KeyId { get; }

    /// <summary>The payload: a JSON object.</summary>
    public JsonElement Claims { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string? Issuer => StringClaim("iss");

    public string? Subject => StringClaim("sub");

    /// <summary>
    /// A three-part token whose header names an algorithm and whose payload is a JSON object with an issuer, else
    /// null. A registry password never looks like this, so such a password is taken for a token.
    /// </summary>
    public static IdToken? TryParse(string token)
    {
        if (token.Length > MaxLength)
        {
            return null;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var last = token.LastIndexOf('.');
        if (first <= 0 || last <= first + 1 || token.IndexOf('.', first + 1) != last)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.AsSpan(0, first)));
            if (header.RootElement.ValueKind != JsonValueKind.Object ||
                !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var keyId = header.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String ? kid.GetString() : null;
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.AsSpan(first + 1, last - first - 1)));
            if (payload.RootElement.ValueKind != JsonValueKind.Object || !payload.RootElement.TryGetProperty("iss", out var iss) ||
                iss.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            return new IdToken(alg.GetString()!, keyId, payload.RootElement.Clone(), Encoding.ASCII.GetBytes(token, 0, last),
                Base64Url.DecodeFromChars(token.AsSpan(last + 1)));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A claim as text when it is a string, number or boolean (how a rule compares it); else null.</summary>
    public string? ClaimText(string name) =>
        Claims.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            }
            : null;

    /// <summary>A numeric date claim (seconds since the epoch), or null when absent or not a number.</summary>
    public long? TimeClaim(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) &&
        seconds is > 0 and < 253402300800
            ? (long)seconds
            : null;

    /// <summary>True when <c>aud</c> is <paramref name="audience"/> or an array holding it.</summary>
    public bool HasAudience(string audience)
    {
        if (!Claims.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => aud.GetString() == audience,
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == audience),
            _ => false,
        };
    }

    private string? StringClaim(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
