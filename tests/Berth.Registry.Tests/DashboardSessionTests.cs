using System.Net;
using System.Text.RegularExpressions;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>
/// The dashboard's session over raw HTTP: what its cookie allows and refuses. The session cookie is HttpOnly and
/// SameSite=Strict; the management API never accepts it (so the API has no CSRF surface); every state-changing form
/// needs its antiforgery token; signing out (itself a form) clears the cookie.
/// </summary>
public sealed partial class DashboardSessionTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task TheSessionCookieIsHttpOnlyStrictAndNotSecureOverPlainHttp()
    {
        var session = await SignInAsync();
        var attributes = session.SetCookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.StartsWith("berth_session=", session.SetCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.DoesNotContain("secure", attributes);
    }

    [Fact]
    public async Task TheApiRefusesTheSessionCookie()
    {
        var session = await SignInAsync();
        using var http = NoCookies();
        using var page = Request(HttpMethod.Get, "projects", session.Cookie);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(page)).StatusCode);

        using var api = Request(HttpMethod.Get, "api/v1/projects", session.Cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(api)).StatusCode);
    }

    [Fact]
    public async Task AStateChangingFormWithoutItsAntiforgeryTokenChangesNothing()
    {
        var registry = await fixture.NewRegistryAsync("cs");
        var session = await SignInAsync();
        using var http = NoCookies();

        // What a cross-site form would send: the session cookie (were it sent at all), no token.
        using var forged = Request(HttpMethod.Post, $"registries/{registry.Name}/password", session.Cookie);
        forged.Content = new FormUrlEncodedContent(new Dictionary<string, string>());
        using var refused = await http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var client = new RegistryClient(fixture.Server.BaseUrl, registry.Username, registry.Password, RegistryAuthMode.Basic);
        using var v2 = await client.GetAsync("v2/");
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.DoesNotContain(await LifecycleSupport.AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit"),
            e => LifecycleSupport.Str(e, "action") == "registry.password.reset");
    }

    [Fact]
    public async Task SigningOutClearsTheSessionCookie()
    {
        var session = await SignInAsync();
        using var http = NoCookies();
        using var form = Request(HttpMethod.Get, "projects", session.Cookie);
        using var home = await http.SendAsync(form);
        var (token, antiforgery) = await FormTokenAsync(home);

        using var logout = Request(HttpMethod.Post, "logout", session.Cookie + "; " + antiforgery);
        logout.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        using var signedOut = await http.SendAsync(logout);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_session=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusedSignInRedirectsBackToTheFormWithItsReasonInAnEncryptedStrictCookie()
    {
        using var http = NoCookies();
        using var form = await http.GetAsync("login?ReturnUrl=%2Fprojects");
        var (token, antiforgery) = await FormTokenAsync(form);
        using var post = Request(HttpMethod.Post, "login?ReturnUrl=%2Fprojects", antiforgery);
        post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "admin",
            ["Password"] = "not-the-password",
            ["__RequestVerificationToken"] = token,
        });
        using var refused = await http.SendAsync(post);

        // No 401 page in answer to the POST: a reload of what the browser shows must not post the password again.
        Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
        Assert.Equal("/login?ReturnUrl=%2Fprojects", refused.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(refused.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_tempdata=", StringComparison.Ordinal));
        var attributes = setCookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        var cookie = setCookie.Split(';')[0];
        Assert.DoesNotContain("Wrong", Uri.UnescapeDataString(cookie), StringComparison.OrdinalIgnoreCase);

        // The GET it leads to says why, once.
        using var again = Request(HttpMethod.Get, "login?ReturnUrl=%2Fprojects", cookie);
        using var page = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Wrong username or password.", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private sealed record Session(string Cookie, string SetCookie);

    private async Task<Session> SignInAsync()
    {
        using var http = NoCookies();
        using var form = await http.GetAsync("login");
        var (token, antiforgery) = await FormTokenAsync(form);
        using var post = Request(HttpMethod.Post, "login", antiforgery);
        post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "admin",
            ["Password"] = fixture.Server.AdminPassword,
            ["__RequestVerificationToken"] = token,
        });
        using var signedIn = await http.SendAsync(post);
        Assert.True(signedIn.StatusCode == HttpStatusCode.SeeOther, $"sign-in: {(int)signedIn.StatusCode}");
        var setCookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("berth_session=", StringComparison.Ordinal));
        return new Session(setCookie.Split(';')[0], setCookie);
    }

    /// <summary>A page's antiforgery form token, and the antiforgery cookie that goes with it.</summary>
    private static async Task<(string Token, string Cookie)> FormTokenAsync(HttpResponseMessage page)
    {
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, "no antiforgery token on the page");
        var cookie = page.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? string.Join("; ", cookies.Where(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Select(c => c.Split(';')[0]))
            : "";
        return (token.Groups[1].Value, cookie);
    }

    private HttpClient NoCookies() =>
        new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = fixture.Server.BaseUrl };

    private static HttpRequestMessage Request(HttpMethod method, string path, string cookie)
    {
        var request = new HttpRequestMessage(method, path);
        if (cookie.Length > 0)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
