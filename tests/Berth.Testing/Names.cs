using System.Security.Cryptography;

namespace Berth.Testing;

/// <summary>Unique, valid DNS-label names for projects and registries (3–63 chars of a-z, 0-9, '-').</summary>
public static class Names
{
    public static string Unique(string prefix)
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var name = $"{prefix}-{suffix}";
        return name.Length <= 63 ? name : name[^63..].TrimStart('-');
    }
}
