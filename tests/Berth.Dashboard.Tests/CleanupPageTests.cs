using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The registry's cleanup pages in a real browser: an owner writes a policy in the rule rows (a bad schedule first,
/// refused with the reason, the form kept), saves it (303), previews its dry run (the tags it would delete, the
/// bytes), runs it now and finds the run in the history; the API sees what the pages did.
/// </summary>
public sealed class CleanupPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AnOwnerSavesPreviewsAndRunsAPolicy()
    {
        var screens = new Screens(fixture.ScreenshotDir, "cleanup", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("cleanui");
        var digests = await TestPushes.PushManifestsAsync(fixture.Server.BaseUrl, registry, "app", TestPushes.NumberedTags(5));
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cleanup", Exact = true }).ClickAsync();
        await Expect(page.GetByText("No policy saved yet")).ToBeVisibleAsync();

        // A schedule that is neither off, daily nor cron is refused with the reason; the rows stay as typed.
        await page.GetByLabel("Rule 1 repositories").FillAsync("app");
        await page.GetByLabel("Rule 1 tag pattern").FillAsync("^t");
        await page.GetByLabel("Rule 1 keep most recent").FillAsync("2");
        await page.GetByLabel("Schedule").FillAsync("hourly");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("schedule");
        await Expect(page.GetByLabel("Rule 1 repositories")).ToHaveValueAsync("app");

        await page.GetByLabel("Schedule").FillAsync("daily");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Policy saved: 1 rule, schedule daily");
        await Expect(page.GetByLabel("Rule 1 tag pattern")).ToHaveValueAsync("^t");
        await Expect(page.GetByLabel("Rule 2 repositories")).ToHaveValueAsync("");
        var policy = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/cleanup-policy");
        var rule = Assert.Single(policy.GetProperty("rules").EnumerateArray());
        Assert.Equal("app", rule.GetProperty("repositories").GetString());
        Assert.Equal(2, rule.GetProperty("keepMostRecent").GetInt32());
        Assert.Equal("daily", policy.GetProperty("schedule").GetString());
        await screens.ShootAsync(page, "policy-saved");

        // The preview lists the three oldest tags; nothing is deleted by it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Preview (dry run)" }).ClickAsync();
        await Expect(page.Locator("#preview-summary")).ToContainTextAsync("Deletes 3 tags and 0 untagged manifests");
        await Expect(page.Locator("#preview-tags tbody tr")).ToHaveCountAsync(3);
        foreach (var tag in new[] { "t000", "t001", "t002" })
        {
            await Expect(page.Locator("#preview-tags")).ToContainTextAsync(tag);
        }

        await screens.ShootAsync(page, "preview");
        Assert.Equal(5, (await fixture.Admin.ListTagsAsync(registry.Name, "app")).Count);

        // Run now: the run is in the history, and the tags the preview listed are gone.
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Run now" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Cleanup run");
        var row = page.Locator("#cleanup-runs tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        for (var i = 0; i < 50 && (await row.InnerTextAsync()).Contains("running", StringComparison.Ordinal); i++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }

        await Expect(row).ToContainTextAsync("manual");
        await Expect(row).ToContainTextAsync("succeeded");
        await screens.ShootAsync(page, "runs");
        var left = await fixture.Admin.ListTagsAsync(registry.Name, "app");
        Assert.Equal([("t003", digests[3]), ("t004", digests[4])], left.Select(t => (t.Name, t.Digest)).OrderBy(t => t.Name, StringComparer.Ordinal));
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
