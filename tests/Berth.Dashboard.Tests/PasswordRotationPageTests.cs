using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Rotation with overlap in a real browser: the reset page keeps the previous password working for a chosen time, the
/// registry page shows until when, and "Revoke now" (a confirmation, then a 303 back) ends it at once.
/// </summary>
public sealed class PasswordRotationPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AResetKeepsThePreviousPasswordForTheChosenTimeAndRevokeNowEndsIt()
    {
        var screens = new Screens(fixture.ScreenshotDir, "rotation", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rot");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/password");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // The reset page offers none / 1 hour / 24 hours / 7 days; 24 hours it is.
        var keep = page.GetByLabel("Keep the previous password working for");
        Assert.Equal(["None: it stops at once", "1 hour", "24 hours", "7 days"],
            (await keep.Locator("option").AllTextContentsAsync()).Select(t => t.Trim()));
        await keep.SelectOptionAsync(new SelectOptionValue { Label = "24 hours" });
        await screens.ShootAsync(page, "reset-keep-previous");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/password\\?done=true$"));
        await Expect(page.Locator("#previous-valid-until")).ToContainTextAsync("The old password keeps working until");
        var newPassword = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.NotEqual(registry.Password, newPassword);
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, newPassword));

        // The registry page says until when (the API's time, to the minute).
        var until = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}")).GetProperty("previousPasswordValidUntil").GetDateTimeOffset();
        Assert.InRange(until, DateTimeOffset.UtcNow.AddHours(23.9), DateTimeOffset.UtcNow.AddHours(24.1));
        await page.GotoAsync($"/registries/{registry.Name}");
        var notice = page.Locator("#previous-password");
        await Expect(notice).ToContainTextAsync("Previous password valid until " + until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC");
        await screens.ShootAsync(page, "registry-previous-password");

        // Revoke now: a confirmation first (nothing happens yet), then the post, a 303 back and a notice.
        await notice.GetByText("Revoke now").ClickAsync();
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));
        var revoke = notice.GetByRole(AriaRole.Button, new() { Name = "Revoke the previous password" });
        await Expect(revoke).ToBeVisibleAsync();
        await screens.ShootAsync(page, "revoke-previous-confirm");
        var response = await page.RunAndWaitForResponseAsync(() => revoke.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(303, response.Status);
        await Expect(page).ToHaveURLAsync(new Regex($"/registries/{registry.Name}$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"The previous password of {registry.Name} no longer works");
        await Expect(page.Locator("#previous-password")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, newPassword));
        Assert.Equal(JsonValueKind.Null, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}")).GetProperty("previousPasswordValidUntil").ValueKind);

        // A plain reset from the page (the default choice) keeps nothing.
        await page.GotoAsync($"/registries/{registry.Name}/password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        await Expect(page.GetByText("The old password no longer works.")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, newPassword));
    }

    private async Task<HttpStatusCode> V2StatusAsync(string username, string password)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/");
        request.Headers.Authorization = ManagementClient.BasicAuth(username, password);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
