using System.ComponentModel.DataAnnotations;
using Berth.Core;

namespace Berth.Registry.Hosting;

public sealed class RegistryDefaultsOptions
{
    /// <summary>The largest allocation the API, the dashboard and the CLI accept: 1,048,576 GiB (1 PiB).</summary>
    public const long MaxAllocationBytes = 1024L * 1024 * ByteSize.GiB;

    [Range(1L, long.MaxValue)]
    public long DefaultStorageLimitBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// Allocations are set in multiples of this size: a whole number of GiB, written like the CLI's sizes
    /// (<c>10GiB</c>, <c>10G</c>, or <c>10</c> for GiB). A resize to any other size is refused. Checked on start.
    /// </summary>
    public string AllocationStep { get; set; } = "10GiB";

    /// <summary><see cref="AllocationStep"/> in bytes (0 when it doesn't parse: the options validator refuses that on start).</summary>
    public long AllocationStepBytes => ByteSize.TryParse(AllocationStep, ByteSize.GiB, out var bytes) ? bytes : 0;

    /// <summary>
    /// Share of the allocation in use (percent) from which a registry is flagged as nearly full; at 100 % it is full.
    /// </summary>
    [Range(1, 99)]
    public int NearlyFullPercent { get; set; } = 80;

    /// <summary>
    /// Share of the allocation in use (percent) from which a registry is flagged as full (a notice and an audit event;
    /// pushes are refused only at 100 %, when nothing more fits). Must be above <see cref="NearlyFullPercent"/>.
    /// </summary>
    [Range(2, 100)]
    public int FullPercent { get; set; } = 100;

    /// <summary>
    /// Wait before purging a deleted registry's content (default none). The registry is unreachable from the
    /// moment of the delete either way; a delay gives in-flight requests time to end first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PurgeDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Rows a purge of a deleted registry or repository removes per transaction. Each batch holds the database
    /// (SQLite's one writer) for about 10–30 ms and is followed by a pause as long, so other tenants' writes never
    /// queue for long behind a big delete (see bench/README.md, "Big delete").
    /// </summary>
    [Range(1, 100_000)]
    public int PurgeBatchSize { get; set; } = 250;
}
