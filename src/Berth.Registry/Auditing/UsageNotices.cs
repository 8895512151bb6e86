using Berth.Core.Metadata;
using Berth.Registry.Hosting;

namespace Berth.Registry.Auditing;

/// <summary>
/// Whether a registry is close to its allocation: <c>nearly_full</c> from <c>Berth:Registries:NearlyFullPercent</c>
/// (default 80 %), <c>full</c> from <c>Berth:Registries:FullPercent</c> (default 100 %), otherwise none. The API's <c>usageNotice</c> and the dashboard's notices both
/// come from here, so they always agree. Usage is what counts against the allocation: stored blobs plus upload holds.
/// </summary>
public sealed class UsageNotices(IOptions<BerthOptions> options)
{
    public const string NearlyFull = "nearly_full";
    public const string Full = "full";

    public int NearlyFullPercent => options.Value.Registries.NearlyFullPercent;

    public int FullPercent => options.Value.Registries.FullPercent;

    public string? For(RegistryUsage usage, long limitBytes) =>
        // decimal: an allocation near long.MaxValue times 100 would overflow a long.
        usage.TotalBytes >= limitBytes || (decimal)usage.TotalBytes * 100 >= (decimal)limitBytes * FullPercent ? Full
        : (decimal)usage.TotalBytes * 100 >= (decimal)limitBytes * NearlyFullPercent ? NearlyFull
        : null;
}
