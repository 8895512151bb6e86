using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth:Retention</c>: what deleting and cleaning up keep, and for how long.</summary>
public sealed class RetentionOptions
{
    /// <summary>
    /// How long deleted tags and manifests (by users, <c>/v2</c> or cleanup) stay restorable; they count against the
    /// allocation until purged after it. <c>00:00:00</c> disables the recovery window (deletes are final at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Cleanup never deletes anything pulled within this long before (or during) its run.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ProtectPulledWithin { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often each node looks for cleanup policies whose scheduled run is due (one node claims each run). Cron has
    /// minute granularity, so the default half minute starts a run within 30 s of its time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CleanupSchedulerInterval { get; set; } = TimeSpan.FromSeconds(30);
}
