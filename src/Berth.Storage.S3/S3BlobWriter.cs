using System.Buffers;
using Amazon.S3.Model;
using Berth.Core.Storage;

namespace Berth.Storage.S3;

/// <summary>
/// Streams into one S3 object with at most one part (<see cref="S3BlobDriverOptions.PartSize"/>) in memory. Content
/// that never fills a part is sent as a single PutObject on commit; otherwise a multipart upload starts with the
/// first full part and is completed on commit, or aborted on dispose without commit. Nothing is visible before the
/// commit, since S3 shows neither pending puts nor unfinished multipart uploads.
/// </summary>
internal sealed class S3BlobWriter : IBlobWriter
{
    // The buffer grows towards a whole part as content arrives, so the many small files (manifests, empty upload
    // placeholders) don't each hold a part-sized buffer.
    private const int InitialBufferSize = 64 * 1024;

    private readonly S3BlobDriver _driver;
    private readonly string _key;
    private readonly long _startSize;
    private readonly bool _isBase;
    private readonly int _partSize;
    private readonly List<PartETag> _parts = [];
    private byte[] _buffer = [];
    private int _buffered;
    private string? _uploadId;
    private bool _committed;
    private bool _disposed;

    /// <param name="driver">The driver whose client and bucket the writer uses.</param>
    /// <param name="key">The object the writer's bytes are committed to.</param>
    /// <param name="startSize">The bytes the file holds already (an append continues after them).</param>
    /// <param name="isBase">
    /// True when <paramref name="key"/> is a file's base object: the commit replaces the whole file, so it also
    /// removes any segments the previous content had. False for a segment (an append), which adds to the file.
    /// </param>
    public S3BlobWriter(S3BlobDriver driver, string key, long startSize, bool isBase)
    {
        _driver = driver;
        _key = key;
        _startSize = startSize;
        _isBase = isBase;
        _partSize = driver.Options.PartSize;
        Size = startSize;
    }

    public long Size { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        while (!buffer.IsEmpty)
        {
            EnsureCapacity(Math.Min(_partSize, _buffered + buffer.Length));
            var take = Math.Min(buffer.Length, _partSize - _buffered);
            buffer.Span[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            Size += take;
            buffer = buffer[take..];
            if (_buffered == _partSize)
            {
                await UploadPartAsync(cancellationToken);
            }
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        var client = _driver.Client;
        var bucket = _driver.Options.Bucket;
        if (_uploadId is null)
        {
            // An append of nothing adds nothing; an empty segment would only cost a request on every read.
            if (_isBase || Size > _startSize)
            {
                await client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = _key,
                    InputStream = new MemoryStream(_buffer, 0, _buffered, writable: false),
                    UseChunkEncoding = false,
                }, cancellationToken);
            }
        }
        else
        {
            if (_buffered > 0)
            {
                await UploadPartAsync(cancellationToken);
            }

            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = _key,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken);
        }

        _committed = true;
        ReleaseBuffer();
        if (_isBase)
        {
            await _driver.DeleteSegmentsAsync(_key, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseBuffer();
        if (!_committed && _uploadId is not null)
        {
            await _driver.AbortQuietlyAsync(_key, _uploadId);
        }
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        if (_parts.Count == S3BlobDriver.MaxParts)
        {
            throw new IOException(
                $"'{_key}' would need more than {S3BlobDriver.MaxParts} parts of {_partSize} bytes: raise the S3 part size");
        }

        var client = _driver.Client;
        var bucket = _driver.Options.Bucket;
        _uploadId ??= (await client.InitiateMultipartUploadAsync(bucket, _key, cancellationToken)).UploadId;
        var partNumber = _parts.Count + 1;
        var response = await client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = _key,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(_buffer, 0, _buffered, writable: false),
            UseChunkEncoding = false,
        }, cancellationToken);
        _parts.Add(new PartETag(partNumber, response.ETag));
        _buffered = 0;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_partSize, Math.Max(needed, Math.Max(InitialBufferSize, _buffer.Length * 2))));
        _buffer.AsSpan(0, _buffered).CopyTo(grown);
        ReleaseBuffer();
        _buffer = grown;
    }

    private void ReleaseBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("the writer has already been committed");
        }
    }
}
