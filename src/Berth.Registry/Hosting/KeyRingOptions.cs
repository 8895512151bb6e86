namespace Berth.Registry.Hosting;

/// <summary>
/// Configuration section <c>Berth:DataProtection</c>: the key that encrypts the dashboard's data-protection key ring
/// (stored in the metadata database, shared by every node) at rest.
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>Length of <see cref="Key"/> once decoded: an AES-256 key.</summary>
    public const int KeyBytes = 32;

    /// <summary>
    /// Base64 of 32 random bytes (<c>openssl rand -base64 32</c>), the same on every node. Required with PostgreSQL;
    /// with SQLite, when unset, one is generated once into <c>&lt;DataDir&gt;/data-protection.key</c>.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>The decoded <see cref="Key"/>, or null when it is unset or not base64 of <see cref="KeyBytes"/> bytes.</summary>
    public static byte[]? Decode(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        var bytes = new byte[KeyBytes + 1];
        return Convert.TryFromBase64String(key.Trim(), bytes, out var written) && written == KeyBytes ? bytes[..KeyBytes] : null;
    }
}
