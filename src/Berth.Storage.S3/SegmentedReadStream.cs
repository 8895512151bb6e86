using Amazon.S3;
using Amazon.S3.Model;
using Berth.Core;

namespace Berth.Storage.S3;

/// <summary>
/// Reads a file's pieces (see <see cref="S3BlobDriver"/>) one after the other from a starting offset, each with one
/// streaming GetObject opened only when the previous piece is exhausted. Each piece must deliver exactly the bytes
/// its listing promised: a piece replaced or cut since then fails the read instead of splicing mismatched content.
/// The pieces after the first may be unknown at the start: they are then listed when the first one is exhausted and
/// the reader asks for more.
/// </summary>
internal sealed class SegmentedReadStream : ForwardReadStream
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly List<Piece> _pieces;
    private Func<CancellationToken, Task<IReadOnlyList<Piece>>>? _listRest;
    private int _index;
    private long _offsetInPiece;
    private long _remainingInPiece;
    private GetObjectResponse? _current;

    /// <summary>Reads the listed <paramref name="pieces"/> from <paramref name="offset"/> (call <see cref="OpenFirstAsync"/>).</summary>
    public SegmentedReadStream(IAmazonS3 client, string bucket, IReadOnlyList<Piece> pieces, long offset)
    {
        _client = client;
        _bucket = bucket;
        _pieces = [.. pieces];
        while (_index < _pieces.Count && offset >= _pieces[_index].Size)
        {
            offset -= _pieces[_index].Size;
            _index++;
        }

        _offsetInPiece = offset;
    }

    /// <summary>
    /// Continues <paramref name="opened"/>, a GET of <paramref name="first"/> from <paramref name="offset"/>; the
    /// pieces after it come from <paramref name="listRest"/>, called only if the reader reads past the first.
    /// </summary>
    public SegmentedReadStream(IAmazonS3 client, string bucket, Piece first, GetObjectResponse opened, long offset,
        Func<CancellationToken, Task<IReadOnlyList<Piece>>> listRest)
    {
        _client = client;
        _bucket = bucket;
        _pieces = [first];
        _current = opened;
        _offsetInPiece = offset;
        _remainingInPiece = first.Size - offset;
        _listRest = listRest;
    }

    /// <summary>Starts the GET of the first piece to read (nothing when the offset is at the end).</summary>
    public async Task OpenFirstAsync(CancellationToken cancellationToken)
    {
        if (_index < _pieces.Count)
        {
            await OpenCurrentAsync(cancellationToken);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_index < _pieces.Count || await ListRestAsync(cancellationToken))
        {
            if (_current is null)
            {
                await OpenCurrentAsync(cancellationToken);
            }

            var read = await _current!.ResponseStream.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                if (read > _remainingInPiece)
                {
                    throw new IOException($"S3 object '{_pieces[_index].Key}' is longer than listed: it changed during the read");
                }

                _remainingInPiece -= read;
                return read;
            }

            if (_remainingInPiece != 0)
            {
                throw new IOException($"S3 object '{_pieces[_index].Key}' ended {_remainingInPiece} bytes early: it changed during the read");
            }

            _current.Dispose();
            _current = null;
            _index++;
            _offsetInPiece = 0;
        }

        return 0;
    }

    // Berth reads asynchronously; the synchronous path exists only to honour the Stream contract.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>Learns the pieces after the first, once; true when there are any.</summary>
    private async Task<bool> ListRestAsync(CancellationToken cancellationToken)
    {
        if (_listRest is not { } listRest)
        {
            return false;
        }

        _listRest = null;
        _pieces.AddRange(await listRest(cancellationToken));
        return _index < _pieces.Count;
    }

    private async Task OpenCurrentAsync(CancellationToken cancellationToken)
    {
        var piece = _pieces[_index];
        // Always a range, open-ended so the response streams to the end of the object however long it is: for a
        // whole-object GET the SDK would otherwise hash every byte with MD5 against the ETag, a second digest over
        // content whose sha256 Berth verified when it was written (Distribution does not re-hash on reads either).
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = piece.Key,
            ByteRange = new ByteRange($"bytes={_offsetInPiece}-"),
        };

        _current = await _client.GetObjectAsync(request, cancellationToken);
        _remainingInPiece = piece.Size - _offsetInPiece;
    }
}
