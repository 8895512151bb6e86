using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

public sealed class RegistryDefaultsOptions
{
    [Range(1L, long.MaxValue)]
    public long DefaultStorageLimitBytes { get; set; } = 10L * 1024 * 1024 * 1024;

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
