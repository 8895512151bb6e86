using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Registry.Management;

/// <summary>
/// How long a password reset keeps the previous password working: <c>30m</c>, <c>24h</c>, <c>7d</c>, or a TimeSpan
/// (<c>1.00:00:00</c>, <c>00:30:00</c>); more than zero and at most <see cref="Max"/>.
/// </summary>
public static partial class KeepPreviousFor
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(7);

    public const string Expected = "a duration such as \"30m\", \"24h\", \"7d\" or \"1.00:00:00\", more than zero and at most 7 days";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        text = text?.Trim() ?? "";
        if (Units().Match(text) is { Success: true } match)
        {
            // Counted in minutes as a long first, so a huge number is refused rather than overflowing.
            if (!long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > Max.TotalMinutes)
            {
                return false;
            }

            duration = TimeSpan.FromMinutes(count * match.Groups[2].Value switch { "d" => 24 * 60, "h" => 60, _ => 1 });
        }
        else if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out duration))
        {
            return false;
        }

        return duration > TimeSpan.Zero && duration <= Max;
    }

    /// <summary>The duration as the shortest of <c>7d</c>, <c>24h</c>, <c>30m</c> that is exact, else as a TimeSpan.</summary>
    public static string Format(TimeSpan duration) => duration switch
    {
        { Ticks: var t } when t % TimeSpan.TicksPerDay == 0 => $"{duration.Days}d",
        { Ticks: var t } when t % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalHours}h"),
        { Ticks: var t } when t % TimeSpan.TicksPerMinute == 0 => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes}m"),
        _ => duration.ToString("c", CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("^([0-9]{1,9})([mhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex Units();
}
