using Berth.Registry.Management;

namespace Berth.Registry.Tests.Management;

/// <summary><c>keepPreviousFor</c> of a password reset: units or a TimeSpan, more than zero, at most 7 days.</summary>
public sealed class KeepPreviousForTests
{
    [Theory]
    [InlineData("30m", 30)]
    [InlineData("24h", 24 * 60)]
    [InlineData("7d", 7 * 24 * 60)]
    [InlineData(" 1h ", 60)]
    [InlineData("1.00:00:00", 24 * 60)]
    [InlineData("00:30:00", 30)]
    [InlineData("7.00:00:00", 7 * 24 * 60)]
    public void AcceptedDurations(string text, int minutes)
    {
        Assert.True(KeepPreviousFor.TryParse(text, out var duration), text);
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0m")]
    [InlineData("00:00:00")]
    [InlineData("-1h")]
    [InlineData("-01:00:00")]
    [InlineData("8d")]
    [InlineData("169h")]
    [InlineData("10081m")]
    [InlineData("7.00:00:01")]
    [InlineData("999999999d")]
    [InlineData("99999999999999999999m")]
    [InlineData("24")]
    [InlineData("1w")]
    [InlineData("24H")]
    [InlineData("1h30m")]
    [InlineData("tomorrow")]
    public void RefusedDurations(string text) => Assert.False(KeepPreviousFor.TryParse(text, out _), text);

    [Theory]
    [InlineData(7 * 24 * 60, "7d")]
    [InlineData(36 * 60, "36h")]
    [InlineData(90, "90m")]
    public void Formatted(int minutes, string expected) => Assert.Equal(expected, KeepPreviousFor.Format(TimeSpan.FromMinutes(minutes)));
}
