using System.Net.Http.Headers;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// A request body that announces <c>Content-Length</c> but only trickles a few zero bytes every 100 ms (enough for the
/// server's minimum data rate) until <see cref="Abandon"/>, which fails the request mid-body: keeps an upload session
/// open on the server, holding the announced size, without sending or allocating the bytes.
/// </summary>
public sealed class StalledContent : HttpContent
{
    private const int Trickle = 4096;

    private readonly long _length;
    private readonly TaskCompletionSource _abandon = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StalledContent(long length)
    {
        _length = length;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    public void Abandon() => _abandon.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var zeros = new byte[Trickle];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        for (var sent = 0L; sent + Trickle < _length && !_abandon.Task.IsCompleted && DateTime.UtcNow < deadline; sent += Trickle)
        {
            await stream.WriteAsync(zeros);
            await stream.FlushAsync();
            await Task.WhenAny(Task.Delay(100), _abandon.Task);
        }

        throw new IOException("the test abandoned this request body");
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
