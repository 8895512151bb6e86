using System.Buffers;
using System.Security.Cryptography;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Registry.Distribution;

/// <summary>
/// <c>/v2/&lt;name&gt;/blobs/uploads/[&lt;id&gt;]</c>: monolithic, chunked and streamed uploads, status, cancel and
/// cross-repository mount. Bytes are hashed as they arrive and written to the upload's own data (through
/// <see cref="UploadSessions"/>: this handler never sees a storage path); only a verified blob is moved into the
/// content-addressed tree, so a failed upload leaves nothing behind. Every upload, monolithic ones included, is a
/// session that holds its bytes against the registry's allocation before writing them (see <see cref="StorageQuota"/>),
/// and a registry has at most <see cref="UploadOptions.MaxSessionsPerRegistry"/>.
/// </summary>
public sealed class UploadHandler(
    IArtifactStore artifacts,
    IUploadStore uploads,
    UploadSessions sessions,
    UploadStates states,
    RegistryAddressing addressing,
    StorageQuota quota,
    Observability.BerthMetrics metrics,
    IOptions<BerthOptions> options,
    TimeProvider time)
{
    private const int BufferSize = 1024 * 1024;

    // Sessions end within seconds to minutes when clients push normally; a short wait lets the next try find room.
    private const int SessionCapRetryAfterSeconds = 10;

    private readonly UploadOptions _options = options.Value.Uploads;

    public Task HandleAsync(V2Request request)
    {
        var method = request.Request.Method;
        if (request.Route.Kind == V2RouteKind.UploadStart)
        {
            return HttpMethods.IsPost(method) ? StartAsync(request) : throw new OciException(OciErrorCode.Unsupported);
        }

        if (HttpMethods.IsPatch(method))
        {
            return PatchAsync(request);
        }

        if (HttpMethods.IsPut(method))
        {
            return CompleteAsync(request);
        }

        if (HttpMethods.IsGet(method))
        {
            return StatusAsync(request);
        }

        return HttpMethods.IsDelete(method) ? CancelAsync(request) : throw new OciException(OciErrorCode.Unsupported);
    }

    private async Task StartAsync(V2Request request)
    {
        var query = request.Request.Query;
        if (query.TryGetValue("mount", out var mount))
        {
            var mountDigest = Digest.Parse(mount.ToString());
            if (await TryMountAsync(request, mountDigest, query["from"].ToString()))
            {
                WriteBlobCreated(request, mountDigest);
                return;
            }
        }
        else if (query.TryGetValue("digest", out var digestValue))
        {
            await UploadMonolithicAsync(request, Digest.Parse(digestValue.ToString()));
            return;
        }

        var upload = await OpenSessionAsync(request, 0);
        await sessions.CreateDataAsync(upload, request.Aborted);
        WriteUploadState(request, upload.Id, 0, StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Records a new session holding <paramref name="heldBytes"/> (a size announced up front, or 0); refused with 429
    /// when the registry has as many sessions open as allowed, with DENIED when the bytes don't fit its allocation.
    /// </summary>
    private async Task<UploadRecord> OpenSessionAsync(V2Request request, long heldBytes)
    {
        var (result, upload) = await sessions.StartAsync(request.RegistryId, request.Target.Repository, heldBytes, request.Aborted);
        switch (result)
        {
            case UploadStartResult.Started:
                return upload;
            case UploadStartResult.TooManySessions:
                request.Response.Headers.RetryAfter = SessionCapRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new OciException(OciErrorCode.TooManyRequests,
                    $"the registry has {_options.MaxSessionsPerRegistry} upload sessions open, the most it may; retry once some finish " +
                    "(complete or cancel unfinished uploads; abandoned ones are dropped after being idle for " +
                    $"{_options.MaxIdle})");
            case UploadStartResult.OverLimit:
                throw await quota.ExceededAsync(request.RegistryId, heldBytes, request.Aborted);
            default:
                throw new OciException(OciErrorCode.NameUnknown, "registry not found");
        }
    }

    /// <summary>
    /// Links a blob the registry already holds. With <c>from</c>, only from that repository, only within the caller's
    /// registry, and only when the caller may pull from it; without it (OCI 1.1), from anywhere in the registry, unless
    /// the caller is limited to some repositories (it would link a blob it may not read). Anything else becomes a
    /// normal upload.
    /// </summary>
    private async Task<bool> TryMountAsync(V2Request request, Digest digest, string from)
    {
        if (!string.IsNullOrEmpty(from))
        {
            RepositoryTarget source;
            try
            {
                source = addressing.Resolve(request.Request, from);
            }
            catch (OciException)
            {
                return false;
            }

            if (source.RegistryName != request.Target.RegistryName ||
                (request.Principal.ActionsOn(source.Name, source.Repository) & RepositoryActions.Pull) == 0)
            {
                return false;
            }

            if (await artifacts.GetRepositoryBlobSizeAsync(request.RegistryId, source.Repository, digest.ToString(), request.Aborted) is null)
            {
                return false;
            }
        }
        else if (request.Principal.Repositories is not null ||
            await artifacts.GetRegistryBlobSizeAsync(request.RegistryId, digest.ToString(), request.Aborted) is null)
        {
            return false;
        }

        var repository = await artifacts.EnsureRepositoryAsync(request.RegistryId, request.Target.Repository, time.GetUtcNow(), request.Aborted);
        return await artifacts.LinkBlobAsync(request.RegistryId, repository.Id, digest.ToString(), time.GetUtcNow(), request.Aborted);
    }

    /// <summary>
    /// A whole blob in the POST: a session of its own (so its bytes count, and it counts toward the session cap) that
    /// holds an announced size before one byte is read, and ends with the request.
    /// </summary>
    private async Task UploadMonolithicAsync(V2Request request, Digest digest)
    {
        var announced = request.Request.ContentLength ?? 0;
        var staging = await OpenSessionAsync(request, announced);
        try
        {
            long size;
            using var hash = digest.CreateHash();
            await using (var writer = await sessions.OpenWriterAsync(staging, append: false, request.Aborted))
            {
                size = await ReceiveAsync(request, writer, hash, staging.Id, 0, announced);
                await writer.CommitAsync(request.Aborted);
            }

            await sessions.CompleteAsync(staging, digest, hash.GetHashAndReset(), size, request.Aborted);
        }
        catch (Exception ex) when (ex is IOException or BlobPathNotFoundException)
        {
            await ThrowIfRegistryGoneAsync(request);
            throw;
        }
        finally
        {
            await sessions.DiscardAsync(staging, CancellationToken.None);
        }

        WriteBlobCreated(request, digest);
    }

    private async Task PatchAsync(V2Request request)
    {
        var upload = await FindUploadAsync(request);
        var state = states.Get(upload.Id);
        await state.Gate.WaitAsync(request.Aborted);
        try
        {
            var size = await AppendAsync(request, upload, state, requireBody: true);
            WriteUploadState(request, upload.Id, size, StatusCodes.Status202Accepted);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async Task CompleteAsync(V2Request request)
    {
        if (!Digest.TryParse(request.Request.Query["digest"].ToString(), out var digest))
        {
            throw new OciException(OciErrorCode.DigestInvalid, "the digest query parameter is missing or invalid");
        }

        var upload = await FindUploadAsync(request);
        var state = states.Get(upload.Id);
        await state.Gate.WaitAsync(request.Aborted);
        try
        {
            var size = await AppendAsync(request, upload, state, requireBody: false);
            var actual = digest.Algorithm == Digest.Sha256 && state.HashContinuing(size) is { } running
                ? running.GetHashAndReset()
                : await sessions.HashStoredAsync(upload, digest);
            try
            {
                await sessions.CompleteAsync(upload, digest, actual, size, request.Aborted);
            }
            catch (Exception ex) when (ex is IOException or BlobPathNotFoundException)
            {
                await ThrowIfRegistryGoneAsync(request);
                throw;
            }
            finally
            {
                // Verified or not, the session is over: a bad digest discards the bytes (nothing partial remains).
                await sessions.DiscardAsync(upload, CancellationToken.None);
            }
        }
        finally
        {
            state.Gate.Release();
        }

        WriteBlobCreated(request, digest);
    }

    private async Task StatusAsync(V2Request request)
    {
        var upload = await FindUploadAsync(request);
        var size = await sessions.GetSizeAsync(upload, request.Aborted);
        WriteUploadState(request, upload.Id, size ?? 0, StatusCodes.Status204NoContent);
    }

    private async Task CancelAsync(V2Request request)
    {
        var upload = await FindUploadAsync(request);
        await sessions.DiscardAsync(upload, CancellationToken.None);
        request.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>A storage error while the registry is being deleted (its files purged under us) is that, not a server fault.</summary>
    private async Task ThrowIfRegistryGoneAsync(V2Request request)
    {
        if (await quota.RegistryGoneAsync(request.RegistryId))
        {
            throw new OciException(OciErrorCode.NameUnknown, "the registry was deleted");
        }
    }

    private async Task<UploadRecord> FindUploadAsync(V2Request request)
    {
        var id = request.Route.Reference;
        if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown);
        }

        var upload = await uploads.GetUploadAsync(request.RegistryId, id, request.Aborted);
        if (upload is null || upload.Repository != request.Target.Repository)
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown);
        }

        // An expired token continues the sessions it could have been used for, not ones started after it expired
        // (401, so the client fetches a new token and goes on).
        if (request.Principal.TokenExpiredAt is { } expiredAt && upload.StartedAt >= expiredAt)
        {
            throw new OciException(OciErrorCode.Unauthorized, "the token expired before this upload session was started");
        }

        return upload;
    }

    /// <summary>
    /// Appends the request body (a chunk) to the upload; returns the upload's size afterwards. A chunk the allocation
    /// has no room for ends the session (bytes, row and slot under the session cap): clients start a failed blob over
    /// anyway, and a refused push must not leave sessions behind.
    /// </summary>
    private async Task<long> AppendAsync(V2Request request, UploadRecord upload, UploadState state, bool requireBody)
    {
        try
        {
            return await AppendChunkAsync(request, upload, state, requireBody);
        }
        catch (OciException ex) when (ex.Error == OciErrorCode.Denied)
        {
            await sessions.DiscardAsync(upload, CancellationToken.None);
            throw;
        }
    }

    private async Task<long> AppendChunkAsync(V2Request request, UploadRecord upload, UploadState state, bool requireBody)
    {
        var headers = request.Request.Headers;
        var hasBody = request.Request.ContentLength is > 0 || (request.Request.ContentLength is null && headers.TransferEncoding.Count > 0);
        if (!hasBody && !requireBody)
        {
            return await sessions.GetSizeAsync(upload, request.Aborted) ?? throw new OciException(OciErrorCode.BlobUploadUnknown);
        }

        await using var writer = await sessions.OpenWriterAsync(upload, append: true, request.Aborted);
        var size = writer.Size;
        ByteRange? range = null;
        if (headers.ContentRange.Count > 0)
        {
            if (!ByteRange.TryParseContentRange(headers.ContentRange, out var parsed))
            {
                throw new OciException(OciErrorCode.BlobUploadInvalid, $"invalid Content-Range '{headers.ContentRange}'");
            }

            if (parsed.Start != size)
            {
                // Out-of-order chunk: tell the client where the upload stands so it can resume.
                WriteUploadHeaders(request, upload.Id, size);
                throw new OciException(OciErrorCode.RangeInvalid, $"chunk starts at {parsed.Start} but the upload holds {size} bytes");
            }

            if (request.Request.ContentLength is { } length && length != parsed.Length)
            {
                throw new OciException(OciErrorCode.SizeInvalid, $"Content-Length {length} does not match Content-Range {parsed.Start}-{parsed.End}");
            }

            range = parsed;
        }

        // Between requests a session holds exactly its size. An announced size is held before one byte is read (refused
        // outright when it doesn't fit); a streamed chunk holds room slice by slice as it arrives.
        var held = size;
        if (request.Request.ContentLength is { } incoming)
        {
            held = await quota.HoldAsync(upload.RegistryId, upload.Id, size + incoming, size + incoming, request.Aborted);
        }

        var hash = state.HashContinuing(size);
        long received;
        try
        {
            received = await ReceiveAsync(request, writer, hash, upload.Id, size, held);

            // A streamed chunk (no Content-Length) can only be measured once read: if it doesn't fit its Content-Range,
            // refuse it before the commit, so none of its bytes stay in the upload.
            if (range is { } r && received != r.Length)
            {
                throw new OciException(OciErrorCode.SizeInvalid, $"received {received} bytes for Content-Range {r.Start}-{r.End}");
            }

            await writer.CommitAsync(request.Aborted);
        }
        catch
        {
            // None of the chunk is kept: the session stays at its last accepted size and holds just that again (the
            // client may resume from there after a broken connection).
            state.ResetHash();
            await uploads.UpdateUploadSizeAsync(upload.Id, size, time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        if (hash is not null)
        {
            state.Advance(received);
        }

        size += received;
        if (!await uploads.UpdateUploadSizeAsync(upload.Id, size, time.GetUtcNow(), request.Aborted))
        {
            // Cancelled meanwhile, or the registry was deleted: don't leave the bytes behind.
            await sessions.DiscardAsync(upload, CancellationToken.None);
            throw new OciException(OciErrorCode.BlobUploadUnknown);
        }

        return size;
    }

    /// <summary>
    /// Streams the request body to storage, hashing as it goes; never holds more than one buffer. The session
    /// (<paramref name="uploadId"/>, at <paramref name="offset"/> bytes, holding <paramref name="held"/>) holds room
    /// for each buffer before it is written: when the allocation has none left the body is cut off there with DENIED.
    /// </summary>
    private async Task<long> ReceiveAsync(V2Request request, IBlobWriter writer, IncrementalHash? hash, string uploadId, long offset, long held)
    {
        if (request.Http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var body = request.Request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                // Fill the buffer before writing: fewer, larger writes and hash updates.
                var filled = 0;
                int read;
                while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), request.Aborted)) > 0)
                {
                    filled += read;
                }

                if (filled == 0)
                {
                    return total;
                }

                var needed = offset + total + filled;
                if (needed > held)
                {
                    held = await quota.HoldAsync(request.RegistryId, uploadId, needed, needed + StorageQuota.HoldSlice, request.Aborted);
                }

                hash?.AppendData(buffer, 0, filled);
                await writer.WriteAsync(buffer.AsMemory(0, filled), request.Aborted);
                metrics.BytesReceived(filled);
                total += filled;
                if (filled < buffer.Length)
                {
                    return total;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteUploadHeaders(V2Request request, string uploadId, long size)
    {
        var headers = request.Response.Headers;
        headers.Location = $"{request.BasePath}/blobs/uploads/{uploadId}";
        headers.Range = ByteRange.UploadRangeHeader(size);
        headers["Docker-Upload-UUID"] = uploadId;
    }

    private static void WriteUploadState(V2Request request, string uploadId, long size, int status)
    {
        WriteUploadHeaders(request, uploadId, size);
        request.Response.StatusCode = status;
        request.Response.ContentLength = 0;
    }

    private void WriteBlobCreated(V2Request request, Digest digest)
    {
        metrics.UploadCompleted(request.Target.RegistryName);
        request.Response.StatusCode = StatusCodes.Status201Created;
        request.Response.Headers.Location = $"{request.BasePath}/blobs/{digest}";
        request.Response.Headers["Docker-Content-Digest"] = digest.ToString();
        request.Response.ContentLength = 0;
    }
}
