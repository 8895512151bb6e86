using System.Buffers;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Berth.Core.Storage;

namespace Berth.Storage.S3;

/// <summary>
/// Keeps blobs in an S3 bucket (AWS or any S3-compatible server), one object per driver path at key
/// <c>Prefix + path</c>.
/// <para>
/// S3 objects are immutable, so appends are stored as <em>segments</em>:
/// <code>
/// P                          the base object: everything written by the first writer with content
/// P/.seg/&lt;offset:D20&gt;         one object per later append commit, named by the offset it starts at
/// </code>
/// The file at P is the base followed by its segments in offset order; it exists exactly when the base does
/// (segments without a base are leftovers of an interrupted delete and are ignored, then removed by the next
/// replacing write). Stat and append list <c>P</c> as a key prefix once to learn the pieces and their sizes,
/// and check that the segments are contiguous; a read opens the base object directly and lists only when it reads past
/// it (see <see cref="OpenReadAsync"/>). An append writer therefore never copies what was committed before:
/// it streams its own bytes into a new object, so a chunked upload can continue on any node. <see cref="MoveAsync"/>
/// composes the pieces into one object at the destination (server-side where S3 allows it) and deletes them, so
/// finished blobs are always single objects, which is what <see cref="GetRedirectUrlAsync"/> needs.
/// </para>
/// <para>
/// Segment keys have a path segment starting with '.', which driver paths may not contain, so they can't collide
/// with a path and <see cref="ListAsync"/> hides them. A writer buffers at most one part (<see
/// cref="S3BlobDriverOptions.PartSize"/>) and starts a multipart upload only once a part is full; an abandoned
/// writer aborts its upload, and a bucket lifecycle rule (AbortIncompleteMultipartUpload) should reap the uploads
/// of writers that a crash kept from aborting.
/// </para>
/// <para>
/// One writer at a time per path, as for the filesystem driver: two concurrent appends would both name their
/// segment after the same offset, and the later commit would replace the earlier one.
/// </para>
/// </summary>
public sealed class S3BlobDriver : IBlobDriver, IRedirectingBlobDriver, IDisposable
{
    /// <summary>S3's limits for one CopyObject or UploadPartCopy, and for the number of parts.</summary>
    internal const long MaxCopySize = 5L * 1024 * 1024 * 1024;

    internal const int MaxParts = 10_000;

    private const string SegmentMarker = "/.seg/";
    private const int OffsetDigits = 20;
    private const int DeleteBatchSize = 1000;
    private const int CopyBufferSize = 1024 * 1024;

    private readonly AmazonS3Client _client;
    private readonly S3BlobDriverOptions _options;
    private readonly string _keyPrefix;

    public S3BlobDriver(S3BlobDriverOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Bucket);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, S3BlobDriverOptions.MinPartSize);
        _options = options;
        _keyPrefix = options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // The SDK's default adds CRC trailers in aws-chunked bodies, which many S3-compatible servers store
            // verbatim or reject. Berth verifies every blob's digest itself, and SigV4 signs the payload over plain
            // HTTP (TLS protects it otherwise), so only the checksums an operation requires are sent.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl.ToString();
            config.AuthenticationRegion = options.Region;
        }

        _client = options.Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(options.Credentials, config);
    }

    public string Name => "s3";

    internal S3BlobDriverOptions Options => _options;

    internal IAmazonS3 Client => _client;

    public void Dispose() => _client.Dispose();

    public async Task<BlobStat?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var pieces = await ListPiecesAsync(FileKey(path), cancellationToken);
        return pieces is null ? null : new BlobStat(pieces.Sum(p => p.Size), pieces.Max(p => p.ModifiedAt));
    }

    /// <summary>
    /// Opens the base object at once, with a ranged GET from <paramref name="offset"/>, and lists the file's segments
    /// only when the reader goes past the base. A finished blob is a single object and a blob GET stops at the length
    /// it knows, so serving one costs one request instead of a ListObjects and a GET (on AWS, a LIST is also priced
    /// like a PUT, about 12 times a GET).
    /// </summary>
    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var key = FileKey(path);
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                // Always a range: see SegmentedReadStream (no MD5 over the whole object).
                ByteRange = new ByteRange($"bytes={offset}-"),
            }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
        {
            throw new BlobPathNotFoundException(path);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The offset is at or past the end of the base object: in a segment, at the end, or the base is empty.
            return await OpenListedAsync(path, key, offset, cancellationToken);
        }

        if (TotalLength(response.ContentRange) is not { } baseSize || baseSize <= offset)
        {
            // A server that ignored the range, or answered one past the end with a body (s3rver does for an empty
            // object, where S3 says 416): let the listing say where the offset falls.
            response.Dispose();
            return await OpenListedAsync(path, key, offset, cancellationToken);
        }

        return new SegmentedReadStream(_client, _options.Bucket, new Piece(key, baseSize, response.LastModified ?? DateTime.UtcNow),
            response, offset, ct => ListSegmentsAsync(key, baseSize, ct));
    }

    /// <summary>The read path for an offset the base object doesn't cover: list the pieces first.</summary>
    private async Task<Stream> OpenListedAsync(string path, string key, long offset, CancellationToken cancellationToken)
    {
        var pieces = await ListPiecesAsync(key, cancellationToken) ?? throw new BlobPathNotFoundException(path);
        if (offset >= pieces.Sum(p => p.Size))
        {
            // S3 answers a range starting at the end with 416, where a file just reads nothing.
            return Stream.Null;
        }

        var stream = new SegmentedReadStream(_client, _options.Bucket, pieces, offset);
        try
        {
            // Open the first piece now, so a file deleted since the listing shows up as not found here.
            await stream.OpenFirstAsync(cancellationToken);
        }
        catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
        {
            await stream.DisposeAsync();
            throw new BlobPathNotFoundException(path);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }

        return stream;
    }

    public async Task<IBlobWriter> OpenWriterAsync(string path, bool append, CancellationToken cancellationToken)
    {
        var key = FileKey(path);
        if (append)
        {
            var committed = (await ListPiecesAsync(key, cancellationToken))?.Sum(p => p.Size) ?? 0;
            if (committed > 0)
            {
                return new S3BlobWriter(this, SegmentKey(key, committed), committed, isBase: false);
            }
        }

        // A fresh write, or an append to nothing (or to an empty file): the new content becomes the base object.
        return new S3BlobWriter(this, key, 0, isBase: true);
    }

    public async Task PutAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(path, append: false, cancellationToken);
        await CopyAsync(content, writer, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    public async Task MoveAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var sourceKey = FileKey(sourcePath);
        var destinationKey = FileKey(destinationPath);
        var pieces = await ListPiecesAsync(sourceKey, cancellationToken) ?? throw new BlobPathNotFoundException(sourcePath);
        try
        {
            if (pieces.Count == 1 && pieces[0].Size <= MaxCopySize)
            {
                await _client.CopyObjectAsync(new CopyObjectRequest
                {
                    SourceBucket = _options.Bucket,
                    SourceKey = pieces[0].Key,
                    DestinationBucket = _options.Bucket,
                    DestinationKey = destinationKey,
                }, cancellationToken);
                await DeleteSegmentsAsync(destinationKey, cancellationToken);
            }
            else if (pieces.SkipLast(1).All(p => p.Size >= S3BlobDriverOptions.MinPartSize))
            {
                await ComposeByPartCopyAsync(pieces, destinationKey, cancellationToken);
            }
            else
            {
                await ComposeByStreamingAsync(pieces, destinationKey, cancellationToken);
            }
        }
        catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
        {
            // The source went away between the listing and the copy.
            throw new BlobPathNotFoundException(sourcePath);
        }

        // The base first: from then on readers see no file rather than a truncated one.
        await _client.DeleteObjectAsync(_options.Bucket, sourceKey, cancellationToken);
        await DeleteKeysAsync(pieces.Skip(1).Select(p => p.Key), cancellationToken);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path, allowDirectory: true, allowRoot: false);
        if (!path.EndsWith('/'))
        {
            // The base first (see MoveAsync); below "P/" are its segments, and whatever a directory P would hold.
            await _client.DeleteObjectAsync(_options.Bucket, key, cancellationToken);
            key += "/";
        }

        await DeleteKeysAsync(ListKeysAsync(key, cancellationToken).Select(o => o.Key), cancellationToken);
    }

    /// <summary>
    /// <paramref name="prefix"/> names a directory (with or without the trailing '/'; "" is the whole store). Segments
    /// and writers in progress are not listed.
    /// </summary>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var key = Key(prefix, allowDirectory: true, allowRoot: true);
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            key += "/";
        }

        await foreach (var item in ListKeysAsync(key, cancellationToken))
        {
            var path = item.Key[_keyPrefix.Length..];
            if (!path.StartsWith('.') && !path.Contains("/.", StringComparison.Ordinal))
            {
                yield return path;
            }
        }
    }

    /// <summary>
    /// A pre-signed GET for a file stored as one object, which every moved blob is. A file still made of segments
    /// (an upload in progress) or a missing one gets null: Berth streams it, or reports it missing, itself.
    /// </summary>
    public async Task<Uri?> GetRedirectUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var key = FileKey(path);
        if (!_options.RedirectGets || await ListPiecesAsync(key, cancellationToken) is not [_])
        {
            return null;
        }

        var url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.Add(validFor),
            // The SDK signs https URLs unless told otherwise, whatever the endpoint speaks.
            Protocol = _options.ServiceUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    /// <summary>Deletes the segments a replaced base object leaves behind (see <see cref="S3BlobWriter"/>).</summary>
    internal Task DeleteSegmentsAsync(string baseKey, CancellationToken cancellationToken) =>
        DeleteKeysAsync(ListKeysAsync(baseKey + SegmentMarker, cancellationToken).Select(o => o.Key), cancellationToken);

    /// <summary>
    /// The pieces of the file whose base object is <paramref name="baseKey"/>, base first, or null when there is no
    /// base. One listing of the key as a prefix returns the base and its segments together.
    /// </summary>
    private async Task<List<Piece>?> ListPiecesAsync(string baseKey, CancellationToken cancellationToken)
    {
        Piece? basePiece = null;
        var segments = new List<Piece>();
        var segmentPrefix = baseKey + SegmentMarker;
        await foreach (var item in ListKeysAsync(baseKey, cancellationToken))
        {
            var piece = new Piece(item.Key, item.Size ?? 0, item.LastModified ?? DateTime.UtcNow);
            if (item.Key == baseKey)
            {
                basePiece = piece;
            }
            else if (item.Key.StartsWith(segmentPrefix, StringComparison.Ordinal))
            {
                segments.Add(piece);
            }
        }

        if (basePiece is null)
        {
            return null;
        }

        return [basePiece, .. Contiguous(baseKey, basePiece.Size, segments)];
    }

    /// <summary>The segments that follow a base object of <paramref name="baseSize"/> bytes (one listing).</summary>
    private async Task<IReadOnlyList<Piece>> ListSegmentsAsync(string baseKey, long baseSize, CancellationToken cancellationToken)
    {
        var segments = new List<Piece>();
        await foreach (var item in ListKeysAsync(baseKey + SegmentMarker, cancellationToken))
        {
            segments.Add(new Piece(item.Key, item.Size ?? 0, item.LastModified ?? DateTime.UtcNow));
        }

        return Contiguous(baseKey, baseSize, segments);
    }

    /// <summary>Checks that listed segments continue the base object without gap or overlap.</summary>
    private static List<Piece> Contiguous(string baseKey, long baseSize, List<Piece> segments)
    {
        var segmentPrefix = baseKey + SegmentMarker;
        var expectedStart = baseSize;
        // Listings are in key order and offsets are zero-padded, so this is offset order.
        foreach (var segment in segments)
        {
            if (!long.TryParse(segment.Key.AsSpan(segmentPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
                start != expectedStart)
            {
                throw new InvalidDataException(
                    $"S3 object '{segment.Key}' does not continue '{baseKey}' at offset {expectedStart}: concurrent writers?");
            }

            expectedStart += segment.Size;
        }

        return segments;
    }

    /// <summary>The whole object's length from a ranged GET's <c>Content-Range: bytes a-b/total</c>, or null.</summary>
    private static long? TotalLength(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : null;
    }

    private async IAsyncEnumerable<S3Object> ListKeysAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = keyPrefix };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                yield return item;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    private async Task DeleteKeysAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        foreach (var batch in keys.Chunk(DeleteBatchSize))
        {
            await DeleteBatchAsync(batch, cancellationToken);
        }
    }

    private async Task DeleteKeysAsync(IAsyncEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await foreach (var batch in keys.Chunk(DeleteBatchSize).WithCancellation(cancellationToken))
        {
            await DeleteBatchAsync(batch, cancellationToken);
        }
    }

    private async Task DeleteBatchAsync(string[] keys, CancellationToken cancellationToken)
    {
        if (keys is [var single])
        {
            await _client.DeleteObjectAsync(_options.Bucket, single, cancellationToken);
            return;
        }

        var response = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = _options.Bucket,
            Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
            Quiet = true,
        }, cancellationToken);
        // DeleteObjects reports per-key failures in a successful response; a key already gone is not one.
        if (response.DeleteErrors is [var first, ..])
        {
            throw new IOException($"S3 could not delete '{first.Key}': {first.Code} {first.Message}");
        }
    }

    /// <summary>
    /// Builds the destination with UploadPartCopy, one part per piece (split where a piece exceeds S3's copy limit),
    /// so no byte passes through Berth. S3-compatible servers without UploadPartCopy get the streamed copy instead.
    /// </summary>
    private async Task ComposeByPartCopyAsync(List<Piece> pieces, string destinationKey, CancellationToken cancellationToken)
    {
        var ranges = pieces.SelectMany(SplitForCopy).ToList();
        if (ranges.Count > MaxParts)
        {
            await ComposeByStreamingAsync(pieces, destinationKey, cancellationToken);
            return;
        }

        var upload = await _client.InitiateMultipartUploadAsync(_options.Bucket, destinationKey, cancellationToken);
        var completed = false;
        try
        {
            var parts = new List<PartETag>(ranges.Count);
            foreach (var (key, first, last) in ranges)
            {
                var part = await _client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = _options.Bucket,
                    SourceKey = key,
                    DestinationBucket = _options.Bucket,
                    DestinationKey = destinationKey,
                    UploadId = upload.UploadId,
                    PartNumber = parts.Count + 1,
                    FirstByte = first,
                    LastByte = last,
                }, cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = destinationKey,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellationToken);
            completed = true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            // Not an S3 limit but a server's (some S3-compatible stores have no UploadPartCopy).
        }
        finally
        {
            if (!completed)
            {
                await AbortQuietlyAsync(destinationKey, upload.UploadId);
            }
        }

        if (completed)
        {
            await DeleteSegmentsAsync(destinationKey, cancellationToken);
        }
        else
        {
            await ComposeByStreamingAsync(pieces, destinationKey, cancellationToken);
        }
    }

    /// <summary>Copy ranges (inclusive) of one piece, each within S3's 5 GiB copy limit; an empty piece has none.</summary>
    private static IEnumerable<(string Key, long First, long Last)> SplitForCopy(Piece piece)
    {
        var count = (piece.Size + MaxCopySize - 1) / MaxCopySize;
        for (long i = 0, start = 0; i < count; i++)
        {
            // Even splits, so every range but the last stays far above S3's 5 MiB part minimum.
            var end = piece.Size * (i + 1) / count;
            yield return (piece.Key, start, end - 1);
            start = end;
        }
    }

    /// <summary>Reads the pieces back and writes them to the destination through one bounded writer.</summary>
    private async Task ComposeByStreamingAsync(List<Piece> pieces, string destinationKey, CancellationToken cancellationToken)
    {
        await using var source = new SegmentedReadStream(_client, _options.Bucket, pieces, 0);
        await using var writer = new S3BlobWriter(this, destinationKey, 0, isBase: true);
        await CopyAsync(source, writer, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    internal async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(_options.Bucket, key, uploadId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException)
        {
            // Cleanup only, often on a path that is already failing: the lifecycle rule (see the class remarks)
            // reaps what this leaves.
        }
    }

    private static async Task CopyAsync(Stream source, IBlobWriter writer, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsNoSuchKey(AmazonS3Exception ex) => ex.ErrorCode == "NoSuchKey";

    private static string SegmentKey(string baseKey, long start) =>
        baseKey + SegmentMarker + start.ToString(new string('0', OffsetDigits), CultureInfo.InvariantCulture);

    private string FileKey(string path) => Key(path, allowDirectory: false, allowRoot: false);

    /// <summary>
    /// Maps a driver path to its key, or throws <see cref="ArgumentException"/> (rules shared by every driver:
    /// <see cref="BlobPaths.CheckDriverPath"/>; the leading '.' they forbid is what keeps segment keys apart).
    /// </summary>
    private string Key(string path, bool allowDirectory, bool allowRoot)
    {
        if (path.Length == 0 && allowRoot)
        {
            return _keyPrefix;
        }

        BlobPaths.CheckDriverPath(path, allowDirectory);
        return _keyPrefix + path;
    }
}

/// <summary>One object of a file: its base or a segment.</summary>
internal sealed record Piece(string Key, long Size, DateTimeOffset ModifiedAt);
