using System.Security.Cryptography;
using System.Text;
using Berth.Core.Tenancy;

namespace Berth.Registry.Auth;

/// <summary>
/// The bootstrap administrator (<c>admin</c>). Its password hash is loaded once at start; a verified password
/// is remembered as a keyed hash so the management API doesn't run PBKDF2 on every call.
/// </summary>
public sealed class AdminAccount
{
    public const string Username = "admin";
    public const string PasswordHashSetting = "admin.passwordHash";

    private readonly byte[] _cacheKey = Secrets.NewKey();
    private volatile string? _passwordHash;
    private volatile byte[]? _verified;

    public void Load(string passwordHash)
    {
        _passwordHash = passwordHash;
        _verified = null;
    }

    public bool Verify(string username, string password)
    {
        var hash = _passwordHash;
        if (hash is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(username), Encoding.UTF8.GetBytes(Username)))
        {
            return false;
        }

        var key = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(password));
        if (_verified is { } verified && CryptographicOperations.FixedTimeEquals(verified, key))
        {
            return true;
        }

        if (!PasswordHasher.Verify(password, hash))
        {
            return false;
        }

        _verified = key;
        return true;
    }
}
