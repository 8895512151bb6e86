using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>An OTLP request as received: path, content type and raw body.</summary>
public sealed record OtlpRequest(string Method, string Path, string? ContentType, byte[] Body);

/// <summary>
/// A stand-in OpenTelemetry collector on a loopback port (<see cref="HttpListener"/>): records every request
/// and answers 200 with an empty body (an empty protobuf <c>Export…ServiceResponse</c>, i.e. "all accepted").
/// </summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<OtlpRequest> _requests = [];
    private readonly Task _loop;

    private OtlpCollector(int port)
    {
        Port = port;
        // Both host names, since HttpListener matches the Host header: an exporter's default endpoint says localhost.
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add($"http://localhost:{port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>, the value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (no signal path).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<OtlpRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A collector on a free loopback port.</summary>
    public static OtlpCollector OnFreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpCollector(port);
    }

    /// <summary>A collector on a given loopback port (e.g. 4318, where an exporter without an endpoint sends).</summary>
    public static OtlpCollector OnPort(int port) => new(port);

    public void Clear()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    /// <summary>Waits (bounded) until some recorded request satisfies <paramref name="condition"/>.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<OtlpRequest>, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Requests))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition(Requests);
    }

    /// <summary>
    /// The protobuf bytes of an OTLP <c>KeyValue{key, value: AnyValue{string_value}}</c> (fields 1 and 2, then
    /// AnyValue field 1), for short strings: how an attribute such as <c>service.name = berth</c> sits in an export.
    /// </summary>
    public static byte[] StringAttribute(string key, string value)
    {
        var k = Encoding.UTF8.GetBytes(key);
        var v = Encoding.UTF8.GetBytes(value);
        if (k.Length > 120 || v.Length > 120)
        {
            throw new ArgumentException("only short strings (one-byte varint lengths) are supported");
        }

        return [0x0A, (byte)k.Length, .. k, 0x12, (byte)(v.Length + 2), 0x0A, (byte)v.Length, .. v];
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_requests)
                {
                    _requests.Add(new OtlpRequest(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "",
                        context.Request.ContentType, body.ToArray()));
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The exporter hung up; nothing to record beyond what we have.
            }
        }
    }
}
