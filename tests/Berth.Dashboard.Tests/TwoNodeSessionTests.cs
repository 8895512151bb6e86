using System.Net;
using System.Text.RegularExpressions;
using Berth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Sessions across nodes: what one node encrypts (the session cookie, a form's antiforgery token, TempData) another
/// reads, because the key ring lives in the shared database; and a node with another key refuses to start.
/// </summary>
public sealed class TwoNodeSessionTests(TwoNodeFixture fixture) : IClassFixture<TwoNodeFixture>
{
    [Fact]
    public async Task ASessionSignedInOnOneNodeIsValidOnTheOther()
    {
        var session = await DashboardHttp.SignInAsync(fixture.A.BaseUrl, "admin", fixture.AdminPassword);

        foreach (var node in new[] { fixture.B, fixture.A })
        {
            using var http = DashboardHttp.NoCookies(node.BaseUrl);
            using var page = await DashboardHttp.GetAsync(http, "projects", session);
            Assert.True(page.StatusCode == HttpStatusCode.OK,
                $"{node.Host} answered {(int)page.StatusCode} (to {page.Headers.Location}) for a session signed in on {fixture.A.Host}");
            Assert.Contains("Create project", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AFormRenderedByOneNodePostsToTheOther()
    {
        var session = await DashboardHttp.SignInAsync(fixture.A.BaseUrl, "admin", fixture.AdminPassword);
        var project = Names.Unique("two");
        using var a = DashboardHttp.NoCookies(fixture.A.BaseUrl);
        using var form = await DashboardHttp.GetAsync(a, "projects", session);
        var (token, antiforgery) = await DashboardHttp.FormTokenAsync(form);

        using var b = DashboardHttp.NoCookies(fixture.B.BaseUrl);
        using var created = await DashboardHttp.PostFormAsync(b, "projects", session + "; " + antiforgery,
            new() { ["Name"] = project, ["__RequestVerificationToken"] = token });

        Assert.True(created.StatusCode == HttpStatusCode.SeeOther, $"{fixture.B.Host} answered {(int)created.StatusCode} to a form from {fixture.A.Host}");
        Assert.Equal($"/projects/{project}/registries", created.Headers.Location?.OriginalString);
        Assert.Equal(project, (await fixture.Admin.GetRawJsonAsync($"api/v1/projects/{project}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task TempDataWrittenOnOneNodeIsReadOnTheOther()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("td");
        var session = await DashboardHttp.SignInAsync(fixture.A.BaseUrl, "admin", fixture.AdminPassword);
        using var a = DashboardHttp.NoCookies(fixture.A.BaseUrl);
        using var form = await DashboardHttp.GetAsync(a, $"registries/{registry.Name}/password", session);
        var (token, antiforgery) = await DashboardHttp.FormTokenAsync(form);
        using var reset = await DashboardHttp.PostFormAsync(a, $"registries/{registry.Name}/password", session + "; " + antiforgery,
            new() { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, reset.StatusCode);
        var tempData = DashboardHttp.Cookie(reset, "berth_tempdata");

        // The new password, put in TempData by A, is shown by B: and it is the password that works.
        using var b = DashboardHttp.NoCookies(fixture.B.BaseUrl);
        using var result = await DashboardHttp.GetAsync(b, reset.Headers.Location!.OriginalString, session + "; " + tempData);
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var password = DashboardHttp.ElementText(await result.Content.ReadAsStringAsync(), "password");
        Assert.False(string.IsNullOrEmpty(password), "no password on the page B rendered from A's TempData");
        Assert.Equal(HttpStatusCode.OK, await DashboardHttp.RegistryTokenStatusAsync(fixture.B.BaseUrl, registry.Name, password!));
        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardHttp.RegistryTokenStatusAsync(fixture.B.BaseUrl, registry.Name, registry.Password));
    }

    [Fact]
    public async Task ANodeWithAnotherKeyRefusesToStartAndAddsNoKey()
    {
        // The running nodes made the key ring at start.
        var keys = await fixture.CountKeysAsync();
        Assert.True(keys >= 1, "no key in the shared key ring");

        var environment = fixture.Database.BerthEnvironment();
        environment["Berth__DataProtection__Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.StartNodeAsync(environment));
        Assert.Contains("Berth:DataProtection:Key cannot decrypt the dashboard key ring", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("Refusing to start", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(keys, await fixture.CountKeysAsync());

        environment.Remove("Berth__DataProtection__Key");
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.StartNodeAsync(environment));
        Assert.Contains("Berth:DataProtection:Key is required", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InABrowserASessionFromOneNodeBrowsesAndPostsOnTheOther()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(fixture.A.BaseUrl, "login").ToString());
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();

        // The load balancer sends the next request to B (cookies do not depend on the port): still signed in.
        await page.GotoAsync(new Uri(fixture.B.BaseUrl, "projects").ToString());
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(fixture.B.BaseUrl.ToString())}projects$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();

        // A form B rendered, with the antiforgery cookie A set, posts; and A shows the result.
        var project = Names.Unique("br");
        await page.GetByLabel("Project name").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{project}/registries$"));
        await page.GotoAsync(new Uri(fixture.A.BaseUrl, $"projects/{project}/registries").ToString());
        await Expect(page.GetByText("No registries yet")).ToBeVisibleAsync();
    }
}
