using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>How a raw request's body goes on the wire.</summary>
public enum BodyDelivery
{
    /// <summary>All of it.</summary>
    Whole,

    /// <summary>Only the first <see cref="RawHttp.PartialBytes"/> bytes, then nothing more while the connection stays open.</summary>
    Stalled,

    /// <summary>Only the first <see cref="RawHttp.PartialBytes"/> bytes, then the client closes its sending side.</summary>
    Truncated,
}

/// <summary>A response read off a raw socket: status, headers (lowercase names) and the body (de-chunked).</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// HTTP/1.1 over a bare socket, for requests no well-behaved client sends: lying or malformed framing headers, bodies
/// that stall or stop short. Every request is sent with <c>Connection: close</c> and the response is read to the end.
/// </summary>
public static class RawHttp
{
    public const int PartialBytes = 16;

    public static async Task<RawResponse> SendAsync(Uri baseUrl, string method, string target, IEnumerable<string> headers, byte[] body,
        BodyDelivery delivery, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(baseUrl.Host, baseUrl.Port, cts.Token);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {baseUrl.Authority}\r\n")
            .Append("Connection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("\r\n");
        await socket.SendAsync(Encoding.Latin1.GetBytes(head.ToString()), SocketFlags.None, cts.Token);
        var sent = delivery == BodyDelivery.Whole ? body : body[..Math.Min(PartialBytes, body.Length)];
        if (sent.Length > 0)
        {
            await SendIgnoringResetAsync(socket, sent, cts.Token);
        }

        if (delivery == BodyDelivery.Truncated)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // The server may reset the connection once it has answered (a body it chose not to read).
        }

        return Parse(received.ToArray());
    }

    private static async Task SendIgnoringResetAsync(Socket socket, byte[] content, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(content, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            // The server answered and closed before taking the whole body; its answer is still to be read.
        }
    }

    private static RawResponse Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidOperationException($"no complete HTTP response ({raw.Length} bytes): {text}");
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        var body = raw.AsSpan(Encoding.Latin1.GetByteCount(text[..(end + 4)])).ToArray();
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new RawResponse(status, headers, Encoding.UTF8.GetString(body));
    }

    private static byte[] Dechunk(byte[] body)
    {
        var result = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(body, position, lineEnd).Split(';')[0];
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            result.Write(body, position, Math.Min(size, body.Length - position));
            position += size + 2;
        }

        return result.ToArray();
    }
}
