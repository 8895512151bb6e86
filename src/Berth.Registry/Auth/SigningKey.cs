using System.Security.Cryptography;
using System.Text;

namespace Berth.Registry.Auth;

/// <summary>A token signing key and its id (the <c>kid</c> header: a fingerprint, never the secret).</summary>
public sealed record SigningKey(string Id, byte[] Secret)
{
    public static SigningKey FromSecret(string secret)
    {
        // Any string the operator chooses becomes a 256-bit HMAC key.
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        return new SigningKey(Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], bytes);
    }
}
