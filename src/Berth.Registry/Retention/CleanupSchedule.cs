using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Berth.Registry.Retention;

/// <summary>
/// When a registry's cleanup policy runs on its own: <c>off</c>, <c>daily</c> (every day at 00:00 UTC) or a standard
/// 5-field cron expression, in UTC.
/// </summary>
public sealed class CleanupSchedule
{
    public const string OffText = "off";

    public const string DailyText = "daily";

    public static readonly CleanupSchedule Off = new(OffText, null);

    private readonly CronExpression? _cron;

    private CleanupSchedule(string text, CronExpression? cron)
    {
        Text = text;
        _cron = cron;
    }

    /// <summary>As stored and shown: <c>off</c>, <c>daily</c> or the cron expression as given.</summary>
    public string Text { get; }

    /// <summary>The first run strictly after <paramref name="after"/>; null when off.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _cron?.GetNextOccurrence(after, TimeZoneInfo.Utc);

    public static bool TryParse(string? text, [NotNullWhen(true)] out CleanupSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        error = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed == OffText)
        {
            schedule = Off;
            return true;
        }

        if (trimmed == DailyText)
        {
            schedule = new CleanupSchedule(DailyText, CronExpression.Daily);
            return true;
        }

        if (trimmed.Length <= 100 && CronExpression.TryParse(trimmed, CronFormat.Standard, out var cron))
        {
            schedule = new CleanupSchedule(trimmed, cron);
            return true;
        }

        error = $"schedule: '{text}' is not \"off\", \"daily\" or a 5-field cron expression (minute hour day-of-month month day-of-week, UTC)";
        return false;
    }
}
