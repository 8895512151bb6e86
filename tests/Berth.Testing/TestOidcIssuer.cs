using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Testing;

/// <summary>
/// An OpenID Connect issuer for tests, in-process on 127.0.0.1: it serves its discovery document and JWKS and signs ID
/// tokens (RS256 and ES256) with keys made when it starts. Keys can be added (a rotation: a new kid in the JWKS) or kept
/// out of the JWKS (an unknown key); it counts how often its JWKS is fetched.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Rs256 = "RS256";
    public const string Es256 = "ES256";

    private readonly WebApplication _app;
    private readonly Dictionary<string, (string Algorithm, AsymmetricAlgorithm Key, bool Published)> _keys = [];
    private int _jwksRequests;

    private TestOidcIssuer(WebApplication app, string issuer)
    {
        _app = app;
        Issuer = issuer;
        RsaKeyId = AddKey(Rs256);
        EcKeyId = AddKey(Es256);
    }

    /// <summary>The issuer URL, <c>http://127.0.0.1:PORT</c>: the <c>iss</c> of its tokens.</summary>
    public string Issuer { get; }

    public string RsaKeyId { get; }

    public string EcKeyId { get; }

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestOidcIssuer? issuer = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(new JsonObject
        {
            ["issuer"] = issuer!.Issuer,
            ["jwks_uri"] = issuer.Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new JsonArray(Rs256, Es256),
        }.ToJsonString(), "application/json"));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer!._jwksRequests);
            return Results.Text(issuer.Jwks(), "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        issuer = new TestOidcIssuer(app, address.TrimEnd('/'));
        return issuer;
    }

    /// <summary>A new key, published in the JWKS (a rotation) unless <paramref name="published"/> is false; its kid.</summary>
    public string AddKey(string algorithm, bool published = true)
    {
        var kid = algorithm.ToLowerInvariant() + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        AsymmetricAlgorithm key = algorithm == Rs256 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        lock (_keys)
        {
            _keys[kid] = (algorithm, key, published);
        }

        return kid;
    }

    /// <summary>
    /// An ID token for <paramref name="audience"/> signed with the key <paramref name="kid"/> (default: the RSA key),
    /// valid from a minute ago for <paramref name="lifetime"/> (default 10 minutes), with <paramref name="claims"/> added
    /// (or, where they name iss, aud, exp or nbf, replacing those).
    /// </summary>
    public string IdToken(string audience, IReadOnlyDictionary<string, object>? claims = null, string? kid = null, TimeSpan? lifetime = null)
    {
        kid ??= RsaKeyId;
        var payload = Claims(audience, claims, lifetime);
        (string Algorithm, AsymmetricAlgorithm Key, bool Published) key;
        lock (_keys)
        {
            key = _keys[kid];
        }

        var header = new JsonObject { ["alg"] = key.Algorithm, ["typ"] = "JWT", ["kid"] = kid };
        var input = Encode(header) + "." + Encode(payload);
        var data = Encoding.ASCII.GetBytes(input);
        var signature = key.Key is RSA rsa
            ? rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : ((ECDsa)key.Key).SignData(data, HashAlgorithmName.SHA256);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>The same claims with <c>alg: none</c> and no signature.</summary>
    public string UnsignedIdToken(string audience, IReadOnlyDictionary<string, object>? claims = null) =>
        Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(Claims(audience, claims, null)) + ".";

    /// <summary>
    /// HS256 with the RSA key's public key (its JWK modulus, and its DER encoding tried too by verifiers that take a
    /// PEM) as the HMAC secret: the algorithm confusion attack on verifiers that let the token choose the algorithm.
    /// </summary>
    public string Hs256WithPublicKey(string audience, IReadOnlyDictionary<string, object>? claims = null)
    {
        RSA rsa;
        lock (_keys)
        {
            rsa = (RSA)_keys[RsaKeyId].Key;
        }

        var input = Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = RsaKeyId }) + "." + Encode(Claims(audience, claims, null));
        var secret = Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem());
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        lock (_keys)
        {
            foreach (var (_, key, _) in _keys.Values)
            {
                key.Dispose();
            }
        }
    }

    private JsonObject Claims(string audience, IReadOnlyDictionary<string, object>? claims, TimeSpan? lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = "repo:acme/app:ref:refs/heads/main",
            ["aud"] = audience,
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds(),
        };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            payload[name] = JsonSerializer.SerializeToNode(value);
        }

        return payload;
    }

    private string Jwks()
    {
        var keys = new JsonArray();
        lock (_keys)
        {
            foreach (var (kid, (algorithm, key, published)) in _keys)
            {
                if (!published)
                {
                    continue;
                }

                if (key is RSA rsa)
                {
                    var p = rsa.ExportParameters(false);
                    keys.Add(new JsonObject
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = algorithm, ["kid"] = kid,
                        ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
                    });
                }
                else
                {
                    var p = ((ECDsa)key).ExportParameters(false);
                    keys.Add(new JsonObject
                    {
                        ["kty"] = "EC", ["use"] = "sig", ["alg"] = algorithm, ["kid"] = kid, ["crv"] = "P-256",
                        ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
                    });
                }
            }
        }

        return new JsonObject { ["keys"] = keys }.ToJsonString();
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
