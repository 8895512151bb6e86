namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth:Metrics</c>: who may read <c>/metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The bearer token a scraper must send (<c>Authorization: Bearer &lt;token&gt;</c>); the series name every
    /// tenant's registries, so without a token <c>/metrics</c> is not served at all.
    /// </summary>
    public string? Token { get; set; }

    public const int MinTokenLength = 16;
}
