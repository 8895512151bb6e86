using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

public sealed class StatsOptions
{
    /// <summary>How often pull counts gathered in memory are written to the metadata store (one batch each time).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
