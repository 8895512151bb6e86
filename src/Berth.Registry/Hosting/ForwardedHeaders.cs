using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using IPNetwork = System.Net.IPNetwork;

namespace Berth.Registry.Hosting;

/// <summary>
/// Behind a TLS-terminating load balancer the request Berth sees is plain HTTP from the proxy. When the proxy is
/// listed in <c>Berth:TrustedProxies</c>, its <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> become the
/// request's client address, scheme and host: token realms then say <c>https://</c>, session cookies are
/// <c>Secure</c>, and audit entries and lockouts see the real client. Headers from anyone else are ignored, so a
/// client can't claim another address or scheme.
/// </summary>
public static class ForwardedHeaders
{
    public static IServiceCollection AddBerthForwardedHeaders(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ConfigureFromBerthOptions>());
        return services;
    }

    /// <summary>
    /// First in the pipeline: everything after it sees the forwarded scheme, host and address. Not added at all without
    /// trusted proxies, since the middleware with no known proxies would trust every sender.
    /// </summary>
    public static IApplicationBuilder UseBerthForwardedHeaders(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<BerthOptions>>().Value.TrustedProxies.Length == 0 ? app : app.UseForwardedHeaders();

    /// <summary>An IP address or a CIDR range (<c>10.0.0.0/8</c>); false for anything else.</summary>
    public static bool TryParse(string value, out IPNetwork network)
    {
        if (IPNetwork.TryParse(value, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }

        return false;
    }

    private sealed class ConfigureFromBerthOptions(IOptions<BerthOptions> berth) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost;

            // Only the configured proxies: the framework's default (loopback) would trust any local process.
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var proxy in berth.Value.TrustedProxies)
            {
                if (TryParse(proxy, out var network))
                {
                    options.KnownIPNetworks.Add(network);
                }
            }

            // One load balancer in front is the usual set-up; a chain of proxies lists each of them.
            options.ForwardLimit = Math.Max(1, berth.Value.TrustedProxies.Length);
        }
    }
}
