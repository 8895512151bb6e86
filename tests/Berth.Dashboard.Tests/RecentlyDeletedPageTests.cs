using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The registry page says what recently deleted content still counts against the allocation, and links to the
/// Recently deleted page, whose Restore button brings a tag back (POST, then a 303 back to the page) so it pulls again.
/// </summary>
public sealed class RecentlyDeletedPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task ADeletedTagIsShownAndRestoredFromTheDashboard()
    {
        var screens = new Screens(fixture.ScreenshotDir, "recently-deleted", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rd");
        var image = fixture.BuildImage(seed: 61, tag: "1.0");
        (await fixture.Skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("team/web", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        using (var deleted = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/repositories/team/web/tags/1.0"))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"tag delete returned {(int)deleted.StatusCode}");
        }

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await SignInAsync(page);
        var summary = page.Locator("#recently-deleted");
        await Expect(summary).ToContainTextAsync("Recently deleted: 1 tag, 0 manifests");
        await Expect(summary).ToContainTextAsync("still count against the allocation until 1 hour after deletion");
        await screens.ShootAsync(page, "registry");

        await summary.GetByRole(AriaRole.Link, new() { Name = "Recently deleted" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/registries/{registry.Name}/deleted$"));
        var row = page.Locator("tr[data-entry='team/web:1.0']");
        await Expect(row).ToContainTextAsync("1.0");
        await screens.ShootAsync(page, "list");

        var posted = await page.RunAndWaitForResponseAsync(
            () => row.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(303, posted.Status);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Tag team/web:1.0 is back, pointing at {image.ManifestDigest}.");
        await Expect(row).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "restored");

        Assert.Equal(image.ManifestDigest, await fixture.Skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("team/web", "1.0")), registry.Creds));

        // A reload is a GET: nothing is restored twice, and no notice is shown again.
        var reloaded = await page.ReloadAsync();
        Assert.Equal(("GET", 200), (reloaded!.Request.Method, reloaded.Status));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Equal(1, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/audit")).EnumerateArray()
            .Count(e => e.GetProperty("action").GetString() == "tag.restored"));
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
