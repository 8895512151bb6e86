using System.Net;
using System.Net.Sockets;

namespace Berth.Registry.Auth;

/// <summary>
/// One password login: the kind of account (<c>registry</c> or <c>user</c>), its username and the client address.
/// IPv6 clients are grouped by their /64, the block one subscriber usually holds, so rotating through it buys nothing.
/// </summary>
public readonly record struct LoginAttempt(string Kind, string Username, IPAddress? Client)
{
    public const string Registry = "registry";
    public const string User = "user";

    /// <summary>The throttling key of the account: <c>registry:&lt;name&gt;</c> or <c>user:&lt;name&gt;</c>.</summary>
    public string Account => $"{Kind}:{Username}";

    public string Address => Normalize(Client);

    public static string Normalize(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
