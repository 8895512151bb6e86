using System.Net;
using System.Text.RegularExpressions;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server behind a load balancer on 127.0.0.1 that terminates TLS (<c>Berth:TrustedProxies</c>).</summary>
public sealed class BehindProxyBerthFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__TrustedProxies__0"] = "127.0.0.1/32",
    };
}

/// <summary>
/// Forwarded headers: from a trusted proxy they give the client's scheme, host and address (token realm, endpoints,
/// Secure cookies, audit); from anyone else (the default server trusts no proxy) they are ignored.
/// </summary>
public sealed partial class ForwardedHeadersTests(BehindProxyBerthFixture proxied, BerthFixture direct)
    : IClassFixture<BehindProxyBerthFixture>, IClassFixture<BerthFixture>
{
    private const string PublicHost = "cr.example.com";

    private const string ClientAddress = "203.0.113.7";

    [Fact]
    public async Task BehindATrustedProxyTheClientsSchemeHostAndAddressAreUsed()
    {
        using var http = Forwarding(proxied);
        using (var challenge = await http.GetAsync("v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
            Assert.StartsWith($"Bearer realm=\"https://{PublicHost}/auth/token\"", challenge.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        var registry = await proxied.NewRegistryAsync("px");
        using (var detail = await WithAdmin(http, proxied).GetAsync($"api/v1/registries/{registry.Name}"))
        {
            Assert.Contains($"\"endpoint\":\"{PublicHost}/{registry.Name}\"", await detail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var reset = await WithAdmin(http, proxied).PostAsync($"api/v1/registries/{registry.Name}/password", null))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var events = await AuditAsync(proxied.Admin, $"api/v1/registries/{registry.Name}/audit");
        Assert.Equal(ClientAddress, Str(events.First(e => Str(e, "action") == "registry.password.reset"), "remoteAddress"));

        // The dashboard's session cookie is Secure when the client spoke HTTPS to the proxy.
        Assert.Contains("secure", await SignInCookieAsync(proxied), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutTrustedProxiesForwardedHeadersAreIgnored()
    {
        using var http = Forwarding(direct);
        using (var challenge = await http.GetAsync("v2/"))
        {
            Assert.StartsWith($"Bearer realm=\"http://{direct.Server.Host}/auth/token\"", challenge.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        var registry = await direct.NewRegistryAsync("pd");
        using (var reset = await WithAdmin(http, direct).PostAsync($"api/v1/registries/{registry.Name}/password", null))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var events = await AuditAsync(direct.Admin, $"api/v1/registries/{registry.Name}/audit");
        Assert.Equal("127.0.0.1", Str(events.First(e => Str(e, "action") == "registry.password.reset"), "remoteAddress"));
        Assert.DoesNotContain("secure", await SignInCookieAsync(direct), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A client that sends what a TLS-terminating proxy adds to each request it forwards.</summary>
    private static HttpClient Forwarding(ConfiguredBerthFixture fixture)
    {
        var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = fixture.Server.BaseUrl };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        http.DefaultRequestHeaders.Add("X-Forwarded-Host", PublicHost);
        http.DefaultRequestHeaders.Add("X-Forwarded-For", ClientAddress);
        return http;
    }

    private static HttpClient WithAdmin(HttpClient http, ConfiguredBerthFixture fixture)
    {
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth("admin", fixture.Server.AdminPassword);
        return http;
    }

    /// <summary>Signs in to the dashboard through the forwarding client and returns the session cookie's Set-Cookie.</summary>
    private static async Task<string> SignInCookieAsync(ConfiguredBerthFixture fixture)
    {
        using var http = Forwarding(fixture);
        using var form = await http.GetAsync("login");
        var page = await form.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        var cookies = form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
        using var post = new HttpRequestMessage(HttpMethod.Post, "login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Username"] = "admin",
                ["Password"] = fixture.Server.AdminPassword,
                ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", cookies));
        using var signedIn = await http.SendAsync(post);
        Assert.True(signedIn.StatusCode == HttpStatusCode.SeeOther, $"sign-in: {(int)signedIn.StatusCode} {await signedIn.Content.ReadAsStringAsync()}");
        return Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_session=", StringComparison.Ordinal));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
