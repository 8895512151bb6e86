using System.Net;
using Microsoft.Playwright;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Every dashboard response carries a Content-Security-Policy without 'unsafe-inline', refuses framing and sniffing and
/// keeps the referrer to itself, and the pages still work under that policy in a real browser.
/// </summary>
public sealed class SecurityHeadersTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task SignedOutResponsesAndRedirectsCarryTheHeadersWithAFreshNonceEachTime()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.BaseUrl };
        var nonces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, status) in new[]
                 {
                     ("/", HttpStatusCode.Redirect), ("/projects", HttpStatusCode.Redirect), ("/login", HttpStatusCode.OK),
                     ("/login", HttpStatusCode.OK), ("/no/such/page", HttpStatusCode.NotFound),
                 })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{path}: {response.StatusCode}");
            nonces.Add(AssertHeaders(path, response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value))));
        }

        Assert.Equal(5, nonces.Count);

        // The registry API is not the dashboard: no page policy there.
        using var v2 = await http.GetAsync("/v2/");
        Assert.False(v2.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task EveryPageCarriesTheHeadersAndItsOwnScriptAndStylesStillApply()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("csp");
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };

        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();

        var project = registry.Project;
        foreach (var path in new[]
                 {
                     "/projects", $"/projects/{project}/registries", $"/projects/{project}/registries/new", $"/projects/{project}/audit",
                     $"/registries/{registry.Name}", $"/registries/{registry.Name}/password", $"/registries/{registry.Name}/kubernetes",
                     $"/registries/{registry.Name}/delete", "/no/such/page",
                 })
        {
            var response = await page.GotoAsync(path);
            Assert.NotNull(response);
            AssertHeaders(path, await response.AllHeadersAsync());

            // The layout's stylesheet applied (the top bar is dark), and its script ran (it reveals the copy buttons).
            Assert.Equal("rgb(15, 23, 42)", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.topbar')).backgroundColor"));
            Assert.Equal(0, await page.Locator("button[data-copy][hidden]").CountAsync());
        }

        await page.GotoAsync($"/registries/{registry.Name}");
        Assert.True(await page.Locator("button[data-copy]").CountAsync() > 0);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>Checks the headers (names in lower case) and returns the response's nonce.</summary>
    private static string AssertHeaders(string path, Dictionary<string, string> headers)
    {
        Assert.True(headers.TryGetValue("content-security-policy", out var csp), $"{path}: no Content-Security-Policy");
        var directives = csp!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d, StringComparer.Ordinal);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var nonce = directives["script-src"].Split("'nonce-")[1].TrimEnd('\'');
        Assert.True(nonce.Length >= 16, $"{path}: nonce '{nonce}'");
        Assert.Equal($"style-src 'nonce-{nonce}'", directives["style-src"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("same-origin", headers["referrer-policy"]);
        return nonce;
    }
}
