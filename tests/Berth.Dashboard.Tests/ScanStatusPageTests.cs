using System.Text.Json;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Scan status in a real browser on a server of its own, whose advisory database stays empty: an image is "not
/// checked", never "no known vulnerabilities"; its SBOM downloads as a file.
/// </summary>
public sealed class ScanStatusPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task WithNoAdvisoryDataTheBadgeSaysNotCheckedAndTheSbomDownloadsAsAFile()
    {
        var screens = new Screens(fixture.ScreenshotDir, "not-checked", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("nc");
        var layout = Path.Combine(fixture.WorkDir, "scan-" + registry.Name);
        var image = ScanFixtures.WriteDebianImage(layout, "1.0");
        (await fixture.Skopeo.CopyAsync($"oci:{layout}:1.0", Skopeo.Docker(registry.Image("shop/web", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/repositories/shop/web");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // Once the on-push scan has run, the artifact's badge says what it is: inventoried, not checked.
        var artifact = page.Locator($"tr[data-digest='{image.Digest}']");
        for (var attempt = 0; attempt < 60 && await artifact.Locator("[data-scan='not_checked']").CountAsync() == 0; attempt++)
        {
            await Task.Delay(500);
            await page.GotoAsync($"/registries/{registry.Name}/repositories/shop/web");
        }

        await Expect(artifact.Locator("[data-scan='not_checked']")).ToHaveTextAsync("not checked — no advisory data");
        await Expect(page.GetByText("no known vulnerabilities")).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "repository");

        // The manifest page says the same, without counts of zero, and offers the SBOM as a file.
        var manifestPath = $"/registries/{registry.Name}/manifests/{Uri.EscapeDataString(image.Digest)}?repository=shop%2Fweb";
        await page.GotoAsync(manifestPath);
        await Expect(page.Locator("section[aria-labelledby='scan'] [data-scan='not_checked']")).ToBeVisibleAsync();
        await Expect(page.Locator("#scan-state")).ToContainTextAsync("no advisories were loaded");
        await Expect(page.Locator(".severity-counts")).ToHaveCountAsync(0);
        await Expect(page.GetByText("no known vulnerabilities")).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "manifest");

        var fileName = $"shop_web_{image.Digest["sha256:".Length..][..12]}.cdx.json";
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download SBOM" }).ClickAsync());
        Assert.Equal(fileName, download.SuggestedFilename);
        var saved = Path.Combine(fixture.WorkDir, Guid.NewGuid().ToString("N") + ".json");
        await download.SaveAsAsync(saved);
        using (var sbom = JsonDocument.Parse(await File.ReadAllTextAsync(saved)))
        {
            Assert.Equal("CycloneDX", sbom.RootElement.GetProperty("bomFormat").GetString());
            Assert.Equal(image.Digest, sbom.RootElement.GetProperty("metadata").GetProperty("component").GetProperty("version").GetString());
            Assert.Contains(sbom.RootElement.GetProperty("components").EnumerateArray(), c => c.GetProperty("name").GetString() == "libssl3");
        }

        // The response itself, with the browser session's cookies: an attachment with that name, as CycloneDX JSON.
        var href = await page.GetByRole(AriaRole.Link, new() { Name = "Download SBOM" }).GetAttributeAsync("href");
        var response = await page.Context.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        Assert.StartsWith($"attachment; filename={fileName}", response.Headers["content-disposition"], StringComparison.Ordinal);
        Assert.StartsWith("application/vnd.cyclonedx+json", response.Headers["content-type"], StringComparison.Ordinal);

        // The registry page's summary counts the image as not checked.
        await page.GotoAsync($"/registries/{registry.Name}");
        await Expect(page.Locator("#vulnerability-summary")).ToContainTextAsync("1 scanned image · none checked yet · 1 not checked — no advisory data");
        await screens.ShootAsync(page, "registry");
    }
}
