using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

/// <summary>
/// Configuration section <c>Berth:Collection</c>: the background collector of storage nothing refers to (blobs no
/// manifest references, files no metadata accounts for, staged uploads with no session).
/// </summary>
public sealed class CollectionOptions
{
    /// <summary>
    /// How long something unreferenced is kept before it is collected; the clock restarts whenever a client relies on a
    /// blob (upload, mount, HEAD), so it must outlast the slowest push. At least 2 s: a HEAD does not record its check
    /// again within a second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "365.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often blobs linked into a repository but referenced by no manifest are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often the whole storage is listed for crash leftovers (files no metadata row accounts for): it costs a
    /// listing of every stored object, and leftovers are rare.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan StorageSweepInterval { get; set; } = TimeSpan.FromDays(1);
}
