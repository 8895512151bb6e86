using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Berth.Registry.Federation;

/// <summary>
/// One signing key of an issuer's JWKS: an RSA key (2048 bits or more) for RS256 or a P-256 key for ES256. Nothing
/// else is read from a JWKS, so no other algorithm can ever verify.
/// </summary>
public sealed class IssuerKey
{
    private const int MinRsaBits = 2048;

    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private readonly string? _algorithm;

    private IssuerKey(string? keyId, string? algorithm, RSA? rsa, ECDsa? ecdsa)
    {
        KeyId = keyId;
        _algorithm = algorithm;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    public string? KeyId { get; }

    /// <summary>The key a JWK describes, or null for a key Berth does not verify with (another type, curve or use).</summary>
    public static IssuerKey? FromJwk(JsonElement jwk)
    {
        string? Text(string name) => jwk.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        if (Text("use") is { } use && use != "sig")
        {
            return null;
        }

        var algorithm = Text("alg");
        try
        {
            switch (Text("kty"))
            {
                case "RSA" when algorithm is null or IdTokenValidator.Rs256 && Text("n") is { } n && Text("e") is { } e:
                    var modulus = Base64Url.DecodeFromChars(n);
                    if (modulus.AsSpan().TrimStart((byte)0).Length * 8 < MinRsaBits)
                    {
                        return null;
                    }

                    return new IssuerKey(Text("kid"), IdTokenValidator.Rs256,
                        RSA.Create(new RSAParameters { Modulus = modulus, Exponent = Base64Url.DecodeFromChars(e) }), null);
                case "EC" when algorithm is null or IdTokenValidator.Es256 && Text("crv") == "P-256" && Text("x") is { } x && Text("y") is { } y:
                    return new IssuerKey(Text("kid"), IdTokenValidator.Es256, null, ECDsa.Create(new ECParameters
                    {
                        Curve = ECCurve.NamedCurves.nistP256,
                        Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
                    }));
                default:
                    return null;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when this key, for <paramref name="algorithm"/>, signed <paramref name="data"/>.</summary>
    public bool Verifies(string algorithm, byte[] data, byte[] signature) => algorithm == _algorithm && algorithm switch
    {
        IdTokenValidator.Rs256 => _rsa!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),

        // JWS carries r||s (IEEE P1363), the .NET default.
        IdTokenValidator.Es256 => signature.Length == 64 && _ecdsa!.VerifyData(data, signature, HashAlgorithmName.SHA256),
        _ => false,
    };
}
