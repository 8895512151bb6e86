using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>Reading the claims of Berth's bearer tokens (JWTs), and tampered copies the server must refuse.</summary>
public static class Jwt
{
    /// <summary>The decoded payload (claims) of a compact JWT; the signature is not checked.</summary>
    public static JsonDocument Payload(string token)
    {
        var parts = token.Split('.');
        Assert.True(parts.Length == 3, $"not a compact JWT: {token}");
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
    }

    /// <summary>The <c>exp</c> claim.</summary>
    public static DateTimeOffset Expires(string token)
    {
        using var payload = Payload(token);
        return DateTimeOffset.FromUnixTimeSeconds(payload.RootElement.GetProperty("exp").GetInt64());
    }

    /// <summary>
    /// A real token with its claims altered (every repository grant widened to pull, push and delete, the expiry moved
    /// an hour on) but its original signature: what a client trying to raise its own rights would send.
    /// </summary>
    public static string Tamper(string token)
    {
        var parts = token.Split('.');
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        foreach (var grant in claims["access"]!.AsArray())
        {
            grant!["actions"] = new JsonArray("pull", "push", "delete");
        }

        claims["exp"] = claims["exp"]!.GetValue<long>() + 3600;
        return parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];
    }
}
