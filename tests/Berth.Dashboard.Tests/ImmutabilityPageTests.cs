using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The registry's Immutable tags page in a real browser: an owner adds a rule (an invalid one first, refused with the
/// field named and the rows kept), adds a second, removes the first; every save answers 303 and the API sees the rules.
/// </summary>
public sealed class ImmutabilityPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AnOwnerAddsRulesSeesValidationErrorsAndRemovesARule()
    {
        var screens = new Screens(fixture.ScreenshotDir, "immutability", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("immui");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Immutable tags" }).ClickAsync();
        var rows = page.Locator("#immutability-rules tbody tr");
        await Expect(rows).ToHaveCountAsync(1);

        // A pattern the server can't run is refused, naming the field; what was typed stays.
        await page.GetByLabel("Repositories of rule 1").FillAsync("**");
        await page.GetByLabel("Tag pattern of rule 1", new() { Exact = true }).FillAsync("(");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rules" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("rules[0].tagPattern");
        await Expect(page.GetByLabel("Tag pattern of rule 1", new() { Exact = true })).ToHaveValueAsync("(");
        await screens.ShootAsync(page, "invalid");

        await page.GetByLabel("Tag pattern of rule 1", new() { Exact = true }).FillAsync(".*");
        await page.GetByLabel("Excluded tag pattern of rule 1").FillAsync("^latest$");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save rules" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved 1 rule");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.GetByLabel("Excluded tag pattern of rule 1")).ToHaveValueAsync("^latest$");

        // A second rule in the blank row, then the first removed.
        await page.GetByLabel("Repositories of rule 2").FillAsync("release/*");
        await page.GetByLabel("Tag pattern of rule 2", new() { Exact = true }).FillAsync("^v[0-9]");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save rules" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved 2 rules");
        await Expect(rows).ToHaveCountAsync(3);
        await screens.ShootAsync(page, "two-rules");

        // The repository page marks the tags a rule protects.
        await TestPushes.PushManifestsAsync(fixture.Server.BaseUrl, registry, "release/app", ["v1"]);
        await TestPushes.PushManifestsAsync(fixture.Server.BaseUrl, registry, "release/app", ["latest"]);

        await page.GotoAsync($"/registries/{registry.Name}/repositories/release/app");
        await Expect(page.Locator("[data-immutable='v1']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-immutable='latest']")).ToHaveCountAsync(0);
        await page.GotoAsync($"/registries/{registry.Name}/immutability");

        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Remove rule 1" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved 1 rule");
        await Expect(page.GetByLabel("Repositories of rule 1")).ToHaveValueAsync("release/*");

        var stored = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/immutability");
        var rule = Assert.Single(stored.GetProperty("rules").EnumerateArray());
        Assert.Equal(("release/*", "^v[0-9]"), (rule.GetProperty("repositories").GetString(), rule.GetProperty("tagPattern").GetString()));
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("excludeTagPattern").ValueKind);
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
