using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("0-99", 0, 99)]
    [InlineData("bytes 0-99/200", 0, 99)]
    [InlineData("bytes=100-199", 100, 199)]
    [InlineData("bytes 5-5/*", 5, 5)]
    [InlineData(" 10-20 ", 10, 20)]
    public void ContentRangeParses(string value, long start, long end)
    {
        Assert.True(ByteRange.TryParseContentRange(value, out var range));
        Assert.Equal(new ByteRange(start, end), range);
        Assert.Equal(end - start + 1, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5-1")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("5-")]
    [InlineData("0--5")]
    [InlineData("+1-5")]
    [InlineData("1-a")]
    public void ContentRangeRejectsGarbage(string? value)
    {
        Assert.False(ByteRange.TryParseContentRange(value, out _));
    }

    [Theory]
    [InlineData("bytes=0-9", 100, 0, 9)]
    [InlineData("bytes=90-", 100, 90, 99)]
    [InlineData("bytes=-10", 100, 90, 99)]
    [InlineData("bytes=-1000", 100, 0, 99)]
    [InlineData("bytes=0-1000", 100, 0, 99)]
    [InlineData("bytes=99-99", 100, 99, 99)]
    [InlineData("BYTES= 5 - 6 ", 100, 5, 6)]
    public void RangeRequestResolvesToPartial(string header, long size, long start, long end)
    {
        Assert.Equal(RangeRequest.Partial, ByteRange.ResolveRequest(header, size, out var range));
        Assert.Equal(new ByteRange(start, end), range);
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=150-200", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    public void RangeOutsideTheBlobIsUnsatisfiable(string header, long size)
    {
        Assert.Equal(RangeRequest.Unsatisfiable, ByteRange.ResolveRequest(header, size, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=0-1,5-9")]
    [InlineData("items=0-9")]
    [InlineData("bytes=9-0")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=a-")]
    [InlineData("bytes=")]
    public void UnusableHeadersServeTheWholeBlob(string? header)
    {
        Assert.Equal(RangeRequest.Full, ByteRange.ResolveRequest(header, 100, out var range));
        Assert.Equal(new ByteRange(0, 99), range);
    }

    [Theory]
    [InlineData(0, "0-0")]
    [InlineData(1, "0-0")]
    [InlineData(10, "0-9")]
    [InlineData(5_000_000_000, "0-4999999999")]
    public void UploadRangeHeader(long size, string expected)
    {
        Assert.Equal(expected, ByteRange.UploadRangeHeader(size));
    }
}
