using System.Security.Cryptography;
using System.Text;

namespace Berth.Core.Tenancy;

/// <summary>
/// Salted slow password hashes: PBKDF2-HMAC-SHA256, stored as <c>pbkdf2-sha256$iterations$salt$hash</c>
/// (base64) so the cost can be raised later without invalidating old hashes.
/// </summary>
public static class PasswordHasher
{
    /// <summary>For passwords people choose: OWASP's current recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>
    /// For the 40-character passwords Berth generates (<see cref="Secrets.NewPassword"/>, about 233 bits): no number of
    /// guesses finds one, so more iterations would buy nothing, while every registry login (docker, kubelet, CI) pays
    /// for them on the pull path. Kept at the cost the existing registry hashes have.
    /// </summary>
    public const int GeneratedPasswordIterations = 210_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>
    /// True when <paramref name="stored"/> (a hash that just verified) was made with fewer than
    /// <paramref name="iterations"/>: the caller, holding the plaintext, should store a new hash.
    /// </summary>
    public static bool NeedsRehash(string stored, int iterations = DefaultIterations)
    {
        var parts = stored.Split('$');
        return parts.Length == 4 && parts[0] == Scheme && int.TryParse(parts[1], out var current) && current < iterations;
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        // The comparison length comes from the stored hash, so an empty or truncated one would match every
        // password (or a mere prefix of the real hash): only the full length we write is acceptable.
        if (expected.Length != HashBytes)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
