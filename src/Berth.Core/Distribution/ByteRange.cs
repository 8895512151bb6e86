using System.Globalization;

namespace Berth.Core.Distribution;

/// <summary>An inclusive byte range, as used by <c>Range</c>, <c>Content-Range</c> and upload <c>Range</c> headers.</summary>
public readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>
    /// Parses an upload chunk's <c>Content-Range</c>: <c>start-end</c> as the OCI spec writes it; the RFC 9110 form
    /// <c>bytes start-end/total</c> is accepted too because some clients send it.
    /// </summary>
    public static bool TryParseContentRange(string? value, out ByteRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var s = value.Trim();
        if (s.StartsWith("bytes", StringComparison.OrdinalIgnoreCase))
        {
            s = s[5..].TrimStart(' ', '=');
        }

        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            s = s[..slash];
        }

        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(s.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return false;
        }

        range = new ByteRange(start, end);
        return true;
    }

    /// <summary>
    /// Resolves a single-range <c>Range: bytes=…</c> request header against a blob of <paramref name="size"/> bytes.
    /// Returns <see cref="RangeRequest.Full"/> when there is no usable header (multi-range requests are served whole,
    /// which RFC 9110 allows), <see cref="RangeRequest.Unsatisfiable"/> when the range lies outside the blob.
    /// </summary>
    public static RangeRequest ResolveRequest(string? header, long size, out ByteRange range)
    {
        range = new ByteRange(0, size - 1);
        if (string.IsNullOrWhiteSpace(header))
        {
            return RangeRequest.Full;
        }

        var s = header.Trim();
        if (!s.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || s.Contains(',', StringComparison.Ordinal))
        {
            return RangeRequest.Full;
        }

        s = s[6..].Trim();
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return RangeRequest.Full;
        }

        var first = s[..dash].Trim();
        var last = s[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return RangeRequest.Full;
            }

            if (suffix == 0 || size == 0)
            {
                return RangeRequest.Unsatisfiable;
            }

            range = new ByteRange(Math.Max(0, size - suffix), size - 1);
            return RangeRequest.Partial;
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return RangeRequest.Full;
        }

        var end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return RangeRequest.Full;
            }

            end = Math.Min(end, size - 1);
        }

        if (start >= size)
        {
            return RangeRequest.Unsatisfiable;
        }

        range = new ByteRange(start, end);
        return RangeRequest.Partial;
    }

    /// <summary>The upload <c>Range</c> header value for an upload holding <paramref name="size"/> bytes.</summary>
    public static string UploadRangeHeader(long size) => "0-" + Math.Max(0, size - 1).ToString(CultureInfo.InvariantCulture);
}
