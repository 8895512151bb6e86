using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth:Scanning</c>: the vulnerability scanner.</summary>
public sealed class ScanningOptions
{
    /// <summary>Queue a scan of every image manifest pushed (in the background: the push never waits for it).</summary>
    public bool ScanOnPush { get; set; } = true;

    /// <summary>Scans this node runs at once; 0 leaves scanning to other nodes (pushes through this node are still queued).</summary>
    [Range(0, 64)]
    public int Workers { get; set; } = 1;

    /// <summary>How often an idle node looks for scans that other nodes queued (its own wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A scan starts once no blob transfer has run on the node for this long (a push is usually followed by a pull
    /// within moments), deferred at most <see cref="MaxDeferral"/>; 0 starts at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxDeferral { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A scan that takes longer fails with a reason.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A scan claimed this long ago and still running is taken over (its node died).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Largest advisory upload (<c>POST /api/v1/vulndb</c>) accepted: osv.dev's per-ecosystem archives reach hundreds of MB.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxImportBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
