using System.Security.Cryptography;

namespace Berth.Core.Tenancy;

/// <summary>Random identifiers and passwords, always from the OS CSPRNG.</summary>
public static class Secrets
{
    // No look-alike characters (0/O, 1/l/I) so a password read off a screen can be typed back.
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public const int PasswordLength = 40;

    /// <summary>A 40-character password: about 233 bits of entropy.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);

    /// <summary>A 128-bit random id as 32 lowercase hex characters.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static byte[] NewKey(int bytes = 32) => RandomNumberGenerator.GetBytes(bytes);
}
