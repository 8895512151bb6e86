using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The registry's CI sign-in page in a real browser: a rule is added (a bad one first, refused with the reason), listed,
/// and removed after a confirmation; every form answers 303; the API sees what the page did.
/// </summary>
public sealed class FederationPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AnOwnerAddsAListedRuleAndRemovesIt()
    {
        var screens = new Screens(fixture.ScreenshotDir, "federation", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("fedui");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "CI sign-in" }).ClickAsync();
        await Expect(page.GetByText("No rules yet")).ToBeVisibleAsync();

        // An http issuer is refused with the reason, the form kept.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("gha-main");
        await page.GetByLabel("Issuer").FillAsync("http://issuer.example");
        await page.GetByLabel("Claims").FillAsync("repository=acme/app\nref=refs/heads/main");
        await page.GetByLabel("push").CheckAsync();
        await page.GetByLabel("Repositories").FillAsync("app/*");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("https");
        await Expect(page.GetByLabel("Claims")).ToHaveValueAsync("repository=acme/app\nref=refs/heads/main");

        await page.GetByLabel("Issuer").FillAsync("https://token.actions.githubusercontent.com");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rule gha-main added");
        var row = page.Locator("#federation-rules tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("https://token.actions.githubusercontent.com");
        await Expect(row).ToContainTextAsync("repository=acme/app ref=refs/heads/main");
        await Expect(row).ToContainTextAsync("pull, push");
        await Expect(row).ToContainTextAsync("app/*");
        await screens.ShootAsync(page, "rule-added");

        var rules = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/federation");
        Assert.Equal(["pull", "push"], rules[0].GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        // Remove asks first; Cancel changes nothing, the confirmation removes it.
        await row.GetByRole(AriaRole.Link, new() { Name = "Remove rule gha-main" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Remove rule gha-main?" })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "remove-confirm");
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(1);
        await row.GetByRole(AriaRole.Link, new() { Name = "Remove rule gha-main" }).ClickAsync();
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Remove rule" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rule removed");
        await Expect(page.GetByText("No rules yet")).ToBeVisibleAsync();
        Assert.Equal(JsonValueKind.Array, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/federation")).ValueKind);
        Assert.Equal(0, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/federation")).GetArrayLength());
    }

    private static async Task SubmitAsync(IPage page, ILocator button)
    {
        var landed = await page.RunAndWaitForResponseAsync(() => button.ClickAsync(),
            response => response.Request.Method == "GET" && response.Request.RedirectedFrom?.Method == "POST");
        Assert.Equal(200, landed.Status);
        var post = await landed.Request.RedirectedFrom!.ResponseAsync();
        Assert.Equal(303, post!.Status);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }
}
