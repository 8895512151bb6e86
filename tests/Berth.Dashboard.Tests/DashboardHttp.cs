using System.Net;
using System.Text.RegularExpressions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The dashboard over raw HTTP, cookies in hand (no cookie jar, no redirects followed), so a test can carry what one
/// node set to another: sign in, read a form's antiforgery token, post a form.
/// </summary>
public static partial class DashboardHttp
{
    public static HttpClient NoCookies(Uri node) =>
        new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = node };

    /// <summary>Signs in as <paramref name="username"/> on <paramref name="node"/>: the session cookie (<c>name=value</c>).</summary>
    public static async Task<string> SignInAsync(Uri node, string username, string password)
    {
        using var http = NoCookies(node);
        using var form = await http.GetAsync("login");
        var (token, antiforgery) = await FormTokenAsync(form);
        using var signedIn = await PostFormAsync(http, "login", antiforgery, new() { ["Username"] = username, ["Password"] = password, ["__RequestVerificationToken"] = token });
        Assert.True(signedIn.StatusCode == HttpStatusCode.SeeOther, $"sign-in: {(int)signedIn.StatusCode}");
        return Cookie(signedIn, "berth_session");
    }

    /// <summary>A page's antiforgery form token, and the antiforgery cookie set with it (empty when none was set).</summary>
    public static async Task<(string Token, string Cookie)> FormTokenAsync(HttpResponseMessage page)
    {
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"no antiforgery token on the page ({(int)page.StatusCode})");
        var cookie = page.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? string.Join("; ", cookies.Where(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Select(c => c.Split(';')[0]))
            : "";
        return (token.Groups[1].Value, cookie);
    }

    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        AddCookies(request, cookies);
        return await http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, string cookies, Dictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        AddCookies(request, cookies);
        return await http.SendAsync(request);
    }

    /// <summary>The <c>name=value</c> of cookie <paramref name="name"/> that <paramref name="response"/> set (not a deletion).</summary>
    public static string Cookie(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal) && !c.StartsWith(name + "=;", StringComparison.Ordinal))
            .Split(';')[0];

    /// <summary>The text of the element with id <paramref name="id"/> (a copyable value), or null.</summary>
    public static string? ElementText(string html, string id) =>
        Regex.Match(html, $"id=\"{Regex.Escape(id)}\"[^>]*>([^<]*)<") is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value).Trim() : null;

    /// <summary>
    /// What a registry client gets for <paramref name="registry"/>'s credentials from <c>/auth/token</c> (a real token
    /// request, as docker login makes): 200 when the password works, 401 when it does not.
    /// </summary>
    public static async Task<HttpStatusCode> RegistryTokenStatusAsync(Uri node, string registry, string password)
    {
        using var http = NoCookies(node);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"auth/token?service=berth&scope=repository:{registry}/app:pull");
        request.Headers.Authorization = Berth.Testing.ManagementClient.BasicAuth(registry, password);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static void AddCookies(HttpRequestMessage request, string cookies)
    {
        var joined = string.Join("; ", cookies.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (joined.Length > 0)
        {
            request.Headers.Add("Cookie", joined);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
