using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// A reload never repeats an action: every dashboard form answers its POST with 303 See Other, so reloading the page
/// it leads to sends a GET; a one-time secret is shown on that GET once and a reload says it was shown.
/// </summary>
public sealed class ReloadTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task SigningInRefusedSigningInAndSigningOutAreNotRepeated()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await SubmitAsync(page, () => SignInAsync(page, "admin", fixture.Server.AdminPassword));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();
        await ReloadAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();

        await SubmitAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync());
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await ReloadAsync(page);
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();

        // Refused: the reason comes back on the GET, once; the reload does not count another failed attempt.
        var nobody = Names.Unique("nobody");
        await SubmitAsync(page, () => SignInAsync(page, nobody, "wrong-password"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong username or password.");
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync(nobody);
        await ReloadAsync(page);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        var throttles = (await fixture.Admin.GetRawJsonAsync("api/v1/login-throttles")).GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("username").ValueKind == JsonValueKind.String && t.GetProperty("username").GetString() == nobody).ToList();
        Assert.Equal([1], throttles.Select(t => t.GetProperty("failures").GetInt32()));
    }

    [Fact]
    public async Task ReloadingACreatedProjectOrRegistryCreatesNothingAndShowsThePasswordNoMore()
    {
        var page = await SignedInPageAsync();
        var project = Names.Unique("rl");
        var registry = Names.Unique("rr");

        await SubmitAsync(page, async () =>
        {
            await page.GetByLabel("Project name").FillAsync(project);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        });
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{project}/registries$"));
        await ReloadAsync(page);
        await Expect(page.GetByText("No registries yet")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Create registry" }).ClickAsync();
        await SubmitAsync(page, async () =>
        {
            await page.GetByLabel("Registry name").FillAsync(registry);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create registry" }).ClickAsync();
        });
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{project}/registries/new\\?created={registry}$"));
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.True(password.Length >= 32, "no password shown after create");

        await ReloadAsync(page);
        await Expect(page.Locator("#shown-once")).ToBeVisibleAsync();
        await Expect(page.Locator("#password")).ToHaveCountAsync(0);
        Assert.DoesNotContain(password, await page.ContentAsync(), StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Registry {registry} is ready" })).ToBeVisibleAsync();

        Assert.Equal([registry], (await fixture.Admin.ListRegistriesAsync(project)).Select(r => r.Name));
        Assert.Equal(HttpStatusCode.OK, await DashboardHttp.RegistryTokenStatusAsync(fixture.Server.BaseUrl, registry, password));
    }

    [Fact]
    public async Task ReloadingAResetShowsTheNoticeAndThePasswordCopiedStillWorks()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rp");
        var page = await SignedInPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/password");
        await SubmitAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync());
        await Expect(page).ToHaveURLAsync(new Regex($"/registries/{registry.Name}/password\\?done=true$"));
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();

        await ReloadAsync(page);
        await Expect(page.Locator("#shown-once")).ToBeVisibleAsync();
        await Expect(page.Locator("#password")).ToHaveCountAsync(0);
        Assert.DoesNotContain(password, await page.ContentAsync(), StringComparison.Ordinal);

        Assert.Equal(1, await AuditCountAsync($"api/v1/registries/{registry.Name}/audit", "registry.password.reset"));
        Assert.Equal(HttpStatusCode.OK, await DashboardHttp.RegistryTokenStatusAsync(fixture.Server.BaseUrl, registry.Name, password));
    }

    [Fact]
    public async Task ReloadingAGeneratedPullSecretShowsTheNoticeAndResetsNothing()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rk");
        var page = await SignedInPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/kubernetes");
        await SubmitAsync(page, async () =>
        {
            await page.GetByLabel("Namespace").FillAsync("shop");
            await page.GetByRole(AriaRole.Checkbox).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Generate Secret" }).ClickAsync();
        });
        await Expect(page).ToHaveURLAsync(new Regex($"/registries/{registry.Name}/kubernetes\\?done=true$"));
        await Expect(page.Locator("#secret-yaml")).ToContainTextAsync("namespace: shop");
        await Expect(page.Locator("#pull-secrets")).ToContainTextAsync($"- name: {registry.Name}-pull");
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();
        var yaml = (await page.Locator("#secret-yaml").TextContentAsync())!;

        await ReloadAsync(page);
        await Expect(page.Locator("#shown-once")).ToBeVisibleAsync();
        await Expect(page.Locator("#secret-yaml")).ToHaveCountAsync(0);
        await Expect(page.Locator("#password")).ToHaveCountAsync(0);
        var html = await page.ContentAsync();
        Assert.DoesNotContain(password, html, StringComparison.Ordinal);
        Assert.DoesNotContain(yaml.Split(".dockerconfigjson:")[1].Trim().Split('\n')[0], html, StringComparison.Ordinal);

        Assert.Equal(1, await AuditCountAsync($"api/v1/registries/{registry.Name}/audit", "registry.password.reset"));
        Assert.Equal(HttpStatusCode.OK, await DashboardHttp.RegistryTokenStatusAsync(fixture.Server.BaseUrl, registry.Name, password));
    }

    [Fact]
    public async Task ReloadingAfterAResizeOrADeleteRepeatsNeither()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rd");
        var page = await SignedInPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await SubmitAsync(page, async () =>
        {
            await page.GetByLabel("Allocation (GiB)").FillAsync("20");
            await page.GetByRole(AriaRole.Button, new() { Name = "Resize" }).ClickAsync();
        });
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("now 20.0 GiB");
        await ReloadAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = registry.Name })).ToBeVisibleAsync();
        Assert.Equal(1, await AuditCountAsync($"api/v1/registries/{registry.Name}/audit", "registry.resized"));

        await page.GotoAsync($"/registries/{registry.Name}/delete");
        await SubmitAsync(page, async () =>
        {
            await page.GetByLabel($"Type {registry.Name} to confirm").FillAsync(registry.Name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete registry permanently" }).ClickAsync();
        });
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{registry.Project}/registries$"));
        await ReloadAsync(page);
        await Expect(page.Locator($"tr[data-registry='{registry.Name}']")).ToHaveCountAsync(0);
        Assert.Equal(1, await AuditCountAsync($"api/v1/projects/{registry.Project}/audit", "registry.deleted"));
    }

    [Fact]
    public async Task ReloadingAfterAScanOrATagDeleteRepeatsNeither()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rm");
        var image = fixture.BuildImage(seed: 11, tag: "1.0");
        (await fixture.Skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await fixture.Skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "2.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        var page = await SignedInPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/manifests/{Uri.EscapeDataString(image.ManifestDigest)}?repository=app");

        await SubmitAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Scan now" }).ClickAsync());
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("A scan is queued");
        await ReloadAsync(page);

        // The tag's delete is confirmed on its own page first; its form is the POST.
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete tag 1.0" }).ClickAsync();
        await SubmitAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Delete tag 1.0" }).ClickAsync());
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Tag 1.0 was removed");
        await ReloadAsync(page);
        Assert.Equal(["2.0"], (await fixture.Admin.ListTagsAsync(registry.Name, "app")).Select(t => t.Name));
    }

    /// <summary>Runs <paramref name="submit"/> and checks that the form's POST was answered 303 See Other.</summary>
    private static async Task SubmitAsync(IPage page, Func<Task> submit)
    {
        var response = await page.RunAndWaitForResponseAsync(submit, r => r.Request.Method == "POST" && r.Request.IsNavigationRequest);
        Assert.True(response.Status == 303, $"POST {response.Url} answered {response.Status}, not 303 See Other");
    }

    /// <summary>Reloads the page and checks the reload sent only a GET (never the form again) and got the page.</summary>
    private static async Task ReloadAsync(IPage page)
    {
        var sent = new List<string>();
        void OnRequest(object? sender, IRequest request)
        {
            if (request.IsNavigationRequest)
            {
                sent.Add(request.Method);
            }
        }

        page.Request += OnRequest;
        var response = await page.ReloadAsync();
        page.Request -= OnRequest;
        Assert.Equal(["GET"], sent);
        Assert.Equal(200, response!.Status);
    }

    private async Task<int> AuditCountAsync(string path, string action)
    {
        var json = await fixture.Admin.GetRawJsonAsync(path);
        var events = json.ValueKind == JsonValueKind.Array ? json : json.GetProperty("items");
        return events.EnumerateArray().Count(e => e.GetProperty("action").GetString() == action);
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await SignInAsync(page, "admin", fixture.Server.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();
        return page;
    }

    private static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
