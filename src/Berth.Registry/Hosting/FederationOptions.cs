using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

/// <summary>Configuration section <c>Berth:Federation</c>: workload identity federation (CI sign-in with OIDC ID tokens).</summary>
public sealed class FederationOptions
{
    /// <summary>
    /// Lets federation rules trust issuers at <c>http://</c> loopback addresses (127.0.0.1, localhost, ::1): for tests
    /// and local experiments only. Every other issuer must be HTTPS, since its keys decide who may push.
    /// </summary>
    public bool AllowHttpLoopbackIssuers { get; set; }

    /// <summary>
    /// How often, at most, an issuer's keys are fetched again because a token names a key Berth has not seen (the
    /// issuer rotated its keys): tokens with made-up key ids can't make Berth fetch more often than this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
