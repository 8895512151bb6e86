using System.Net;
using System.Net.Sockets;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// Distinct clients on one machine: the server listens on 127.0.0.1 and sees each connection's source address, so a
/// socket bound to 127.0.0.2…127.0.0.9 stands for another client (an attacker, a NAT, a kubelet elsewhere).
/// </summary>
public static class ClientAddress
{
    public static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    public static IPAddress Loopback(int last) => new([127, 0, 0, (byte)last]);

    /// <summary>A handler whose connections come from <paramref name="from"/> (the system's choice when null); no redirects followed.</summary>
    public static SocketsHttpHandler Handler(IPAddress? from)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }
}
