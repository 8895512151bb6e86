namespace Berth.Core.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("12", 12L)]
    [InlineData("12B", 12L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("1k", 1024L)]
    [InlineData("2MiB", 2L * 1024 * 1024)]
    [InlineData("20GiB", 21474836480L)]
    [InlineData("20G", 21474836480L)]
    [InlineData("20GB", 21474836480L)]
    [InlineData("20Gi", 21474836480L)]
    [InlineData("20gib", 21474836480L)]
    [InlineData(" 20 GiB ", 21474836480L)]
    [InlineData("1TiB", 1099511627776L)]
    [InlineData("0.5GiB", 536870912L)]
    [InlineData("7EiB", 7L << 60)]
    public void ParsesSizes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes), text);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("-1")]
    [InlineData("-1GiB")]
    [InlineData("1.5")] // a fraction of a byte
    [InlineData("1.2.3GiB")]
    [InlineData("1,5GiB")]
    [InlineData("20 gigabytes")]
    [InlineData("20X")]
    [InlineData("20GiBs")]
    [InlineData("8EiB")] // overflows long
    [InlineData("99999999999999999999999999999999999")]
    public void RejectsOtherText(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out _), text);
    }

    [Theory]
    [InlineData("20", 21474836480L)]
    [InlineData("20GiB", 21474836480L)]
    [InlineData("512MiB", 536870912L)]
    [InlineData("100B", 100L)]
    public void BareNumbersUseTheGivenUnit(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, ByteSize.GiB, out var bytes), text);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(12L, "12 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(21474836480L, "20.0 GiB")]
    public void FormatsSizes(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));
}
