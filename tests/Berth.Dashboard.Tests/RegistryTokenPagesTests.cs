using System.Net;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>A registry's access tokens in a real browser: create (shown once), use with skopeo, revoke; revoke all.</summary>
public sealed class RegistryTokenPagesTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task CreateShowsTheTokenOnceItPullsAndRevokeEndsIt()
    {
        var screens = new Screens(fixture.ScreenshotDir, "tokens", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("tok");
        var image = fixture.BuildImage(seed: 1311, tag: "v1");
        var reference = Skopeo.Docker(registry.Image("api/web", "v1"));
        var skopeo = fixture.Skopeo;
        (await skopeo.CopyAsync(image.OciReference, reference, destinationCreds: registry.Creds)).EnsureSuccess();

        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // From the registry page; an invalid pattern comes back as a message and creates nothing.
        await page.GotoAsync($"/registries/{registry.Name}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Access tokens" }).ClickAsync();
        await Expect(page.GetByText("No access tokens yet.")).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("k8s-prod");
        await page.GetByLabel("Repositories (optional)").FillAsync("API/*");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is not a repository pattern");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("k8s-prod");
        await page.GetByLabel("Repositories (optional)").FillAsync("api/*");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/registries/{registry.Name}/tokens\\?created=true$"));
        var token = (await page.Locator("#new-token-value").TextContentAsync())!.Trim();
        Assert.StartsWith("berth_rt_", token, StringComparison.Ordinal);
        await screens.ShootAsync(page, "token-created");

        // Shown once: a reload shows it no more.
        await page.ReloadAsync();
        await Expect(page.Locator("#new-token-value")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        // It pulls what its pattern allows (recorded as its last use), nothing else, and can't push.
        var creds = $"{registry.Username}:{token}";
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(reference, creds));
        Assert.False((await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("api/web", "v2")), destinationCreds: creds)).Succeeded);
        await page.ReloadAsync();
        var row = page.Locator("tr", new() { HasText = "k8s-prod" });
        await Expect(row).ToContainTextAsync("api/*");
        await Expect(row).ToContainTextAsync("from 127.0.0.1");
        await screens.ShootAsync(page, "token-list");

        // Revoke: a second step confirms, then it stops working at once.
        await row.GetByText("Revoke…").ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke token" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("was revoked");
        await Expect(page.GetByText("No access tokens yet.")).ToBeVisibleAsync();
        Assert.False((await skopeo.InspectAsync(reference, creds)).Succeeded, "a revoked token still pulls");
    }

    [Fact]
    public async Task RevokeAllNeedsTheTypedNameAndShowsTheNewPasswordOnce()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("tok");
        using (var created = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/tokens",
                   new StringContent("""{"name":"ci","scopes":["pull"]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // The reset page names the token that keeps working.
        await page.GotoAsync($"/registries/{registry.Name}/password");
        await Expect(page.Locator("#tokens-kept-list")).ToContainTextAsync("ci");

        await page.GotoAsync($"/registries/{registry.Name}/revoke-all");
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Revoke all credentials" });
        await Expect(button).ToBeDisabledAsync();
        await page.GetByLabel($"Type {registry.Name} to confirm").FillAsync(registry.Name);
        await button.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("revoke-all\\?done=true$"));
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.NotEqual(registry.Password, password);
        Assert.False((await fixture.Skopeo.RunAsync("login", "--tls-verify=false", "-u", registry.Username, "-p", registry.Password, fixture.Server.Host)).Succeeded);
        using var tokens = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/tokens");
        Assert.Equal("[]", await tokens.Content.ReadAsStringAsync());
    }
}
