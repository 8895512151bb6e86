using System.Globalization;
using System.IO.Pipelines;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Storage;

namespace Berth.Registry.Distribution;

/// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: HEAD, GET (with Range) and DELETE.</summary>
public sealed partial class BlobHandler(IArtifactStore artifacts, RegistryBlobStore blobs, Observability.BerthMetrics metrics, TimeProvider time, ILogger<BlobHandler> logger)
{
    /// <summary>How long a redirect URL stays valid: long enough to start a large download, short enough to not leak.</summary>
    private static readonly TimeSpan RedirectLifetime = TimeSpan.FromMinutes(20);

    private const int ChunkSize = 1024 * 1024;

    public async Task HandleAsync(V2Request request)
    {
        var method = request.Request.Method;
        var digest = Digest.Parse(request.Route.Reference);
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            await ServeAsync(request, digest, HttpMethods.IsHead(method));
        }
        else if (HttpMethods.IsDelete(method))
        {
            await DeleteAsync(request, digest);
        }
        else
        {
            throw new OciException(OciErrorCode.Unsupported);
        }
    }

    private async Task ServeAsync(V2Request request, Digest digest, bool headOnly)
    {
        // The blob must be linked into THIS repository of THIS registry: holding a digest elsewhere grants nothing. A
        // HEAD is how a push asks whether it may skip an upload and name the blob in its manifest: that check is recorded
        // (the collector leaves the link alone for its grace). A GET is a pull, of an image whose manifest holds the link
        // anyway, and stays free of writes.
        var size = (headOnly
                ? await artifacts.CheckRepositoryBlobAsync(request.RegistryId, request.Target.Repository, digest.ToString(), time.GetUtcNow(), request.Aborted)
                : await artifacts.GetRepositoryBlobSizeAsync(request.RegistryId, request.Target.Repository, digest.ToString(), request.Aborted))
            ?? throw new OciException(OciErrorCode.BlobUnknown);

        var response = request.Response;
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.ETag = "\"" + digest + "\"";
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "max-age=31536000";
        response.ContentType = MediaTypes.OctetStream;

        var rangeKind = ByteRange.ResolveRequest(request.Request.Headers.Range, size, out var range);
        if (rangeKind == RangeRequest.Unsatisfiable)
        {
            response.Headers.ContentRange = "bytes */" + size.ToString(CultureInfo.InvariantCulture);
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            return;
        }

        if (rangeKind == RangeRequest.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{size}";
        }

        if (!headOnly && size > 0 &&
            await blobs.GetRedirectUrlAsync(request.RegistryId, digest, RedirectLifetime, request.Aborted) is { } url)
        {
            // The object store serves the bytes (and the Range) itself, as Distribution's redirect option does.
            response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            response.Headers.ContentRange = default;
            response.Headers.Location = url.AbsoluteUri;
            return;
        }

        response.ContentLength = size == 0 ? 0 : range.Length;
        if (headOnly || size == 0)
        {
            return;
        }

        Stream content;
        try
        {
            content = await blobs.OpenReadAsync(request.RegistryId, digest, range.Start, request.Aborted);
        }
        catch (BlobPathNotFoundException)
        {
            throw MissingContent(request.RegistryId, digest);
        }

        long sent;
        await using (content)
        {
            sent = await CopyExactlyAsync(content, response.BodyWriter, range.Length, request.Aborted);
        }

        metrics.BytesSent(sent);
    }

    private async Task DeleteAsync(V2Request request, Digest digest)
    {
        var repository = await artifacts.GetRepositoryAsync(request.RegistryId, request.Target.Repository, request.Aborted)
            ?? throw new OciException(OciErrorCode.BlobUnknown);
        if (!await artifacts.UnlinkBlobAsync(repository.Id, digest.ToString(), request.Aborted))
        {
            throw new OciException(OciErrorCode.BlobUnknown);
        }

        await blobs.CollectIfUnreferencedAsync(request.RegistryId, digest, request.Aborted);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }

    private OciException MissingContent(string registryId, Digest digest)
    {
        LogMissingContent(logger, digest.ToString(), registryId);
        return new OciException(OciErrorCode.BlobUnknown);
    }

    /// <summary>
    /// Reads the blob straight into the response pipe's memory, 1 MiB at a time: one user-space copy fewer than a
    /// buffer handed to <c>Response.Body</c> (Kestrel has no sendfile, so every byte is copied out of the kernel and
    /// back in regardless).
    /// </summary>
    /// <returns>The bytes the client took: <paramref name="count"/>, or fewer when it went away.</returns>
    private static async Task<long> CopyExactlyAsync(Stream source, PipeWriter destination, long count, CancellationToken cancellationToken)
    {
        long sent = 0;
        while (count > 0)
        {
            var chunk = (int)Math.Min(ChunkSize, count);
            var read = await source.ReadAsync(destination.GetMemory(chunk)[..chunk], cancellationToken);
            if (read == 0)
            {
                throw new IOException("blob content ended early");
            }

            destination.Advance(read);
            count -= read;
            var flushed = await destination.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                // The client went away: nothing reads the rest.
                return sent;
            }

            sent += read;
        }

        return sent;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Digest} of registry {RegistryId} is recorded in metadata but missing from storage")]
    private static partial void LogMissingContent(ILogger logger, string digest, string registryId);
}
