using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>The dashboard in a real browser against the real server, with skopeo as the registry client.</summary>
public sealed class DashboardFlowTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task OwnerCreatesPushesRotatesAndDeletesARegistry()
    {
        var screens = new Screens(fixture.ScreenshotDir, "owner", output);
        var page = await fixture.NewPageAsync();
        var project = Names.Unique("shop");
        var registry = Names.Unique("web");

        // Sign in: any page sends a signed-out visitor to the login page and back.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await screens.ShootAsync(page, "login");
        await SignInAsync(page, "admin", fixture.Server.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects", Exact = true })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "projects");

        // A project, through the UI: its creator owns it and lands on its (empty) registry list.
        await page.GetByLabel("Project name").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/projects/{project}/registries$"));
        await Expect(page.GetByText("No registries yet")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "registries-empty");

        // A registry, with an invalid name first: the service's rule comes back as a message.
        await page.GetByRole(AriaRole.Link, new() { Name = "Create registry" }).ClickAsync();
        await page.GetByLabel("Registry name").FillAsync("Bad_Name");
        await page.GetByLabel("Registry name").EvaluateAsync("input => input.removeAttribute('pattern')");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create registry" }).ClickAsync();
        await Expect(page.Locator("#name-error")).ToContainTextAsync("not a valid registry name");
        await screens.ShootAsync(page, "create-registry-invalid");
        await page.GetByLabel("Registry name").FillAsync(registry);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create registry" }).ClickAsync();
        await Expect(page.GetByText("This password is shown only once.")).ToBeVisibleAsync();
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();
        var endpoint = (await page.Locator("#endpoint").TextContentAsync())!.Trim();
        Assert.Equal($"{fixture.Server.Host}/{registry}", endpoint);
        Assert.Equal($"docker login {fixture.Server.Host} -u {registry}", (await page.Locator("#docker-login").TextContentAsync())!.Trim());
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy password" }).ClickAsync();
        Assert.Equal(password, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await screens.ShootAsync(page, "registry-created");

        // Push with those credentials, then pull once (for the safety report).
        var skopeo = fixture.Skopeo;
        var image = fixture.BuildImage(seed: 7, tag: "1.0");
        var reference = Skopeo.Docker($"{endpoint}/app:1.0");
        (await skopeo.CopyAsync(image.OciReference, reference, destinationCreds: $"{registry}:{password}")).EnsureSuccess();
        (await skopeo.InspectRawAsync(reference, $"{registry}:{password}")).EnsureSuccess();

        // The list, the detail page and the repository show it.
        await page.GotoAsync($"/projects/{project}/registries");
        var row = page.Locator($"tr[data-registry='{registry}']");
        await Expect(row).ToContainTextAsync(endpoint);
        await Expect(row.Locator("td[data-repositories]")).ToHaveTextAsync("1");
        await row.Locator("summary").ClickAsync();
        await Expect(row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Registry" })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "registries-menu");
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "View Detail" }).ClickAsync();
        await Expect(page.Locator("tr[data-repository='app']")).ToBeVisibleAsync();
        await Expect(page.Locator("#pull-0")).ToHaveTextAsync($"docker pull {endpoint}/app:1.0");
        await screens.ShootAsync(page, "registry-detail");
        await page.GetByRole(AriaRole.Link, new() { Name = "app", Exact = true }).ClickAsync();
        var artifact = page.Locator($"tr[data-digest='{image.ManifestDigest}']");
        await Expect(artifact).ToContainTextAsync("1.0");
        await Expect(artifact).ToContainTextAsync("linux/amd64");
        // Scanned on push in the background: queued, being scanned or (random test files, no packages) clean.
        await Expect(artifact.Locator("[data-scan]")).ToHaveAttributeAsync("data-scan", new Regex("^(queued|running|done)$"));
        await screens.ShootAsync(page, "repository");
        await artifact.Locator("a.mono").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Layers (2)" })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "manifest");

        // Resize, through the detail page.
        await page.GotoAsync($"/registries/{registry}");
        await page.GetByLabel("Allocation (GiB)").FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resize" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("now 20.0 GiB");

        // Change password: the impact first, then the new password once; the old one stops working at once.
        await page.GotoAsync($"/projects/{project}/registries");
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Change Password" }).ClickAsync();
        await Expect(page.GetByText("The current password stops working immediately.")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "change-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        var newPassword = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.NotEqual(password, newPassword);
        await screens.ShootAsync(page, "password-reset");
        var oldCreds = await skopeo.InspectRawAsync(reference, $"{registry}:{password}");
        Assert.False(oldCreds.Succeeded, "the old password still works: " + oldCreds);
        (await skopeo.InspectRawAsync(reference, $"{registry}:{newPassword}")).EnsureSuccess();

        // Kubernetes: a wrong password is refused with a message; the right one gives the Secret.
        await page.GotoAsync($"/registries/{registry}/kubernetes");
        await page.GetByLabel("Namespace").FillAsync("shop");
        await page.GetByLabel("Current registry password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate Secret" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not the current password");
        await screens.ShootAsync(page, "kubernetes-wrong-password");
        await page.GetByLabel("Current registry password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate Secret" }).ClickAsync();
        await Expect(page.Locator("#secret-yaml")).ToContainTextAsync("type: kubernetes.io/dockerconfigjson");
        await Expect(page.Locator("#pull-secrets")).ToContainTextAsync($"- name: {registry}-pull");
        await screens.ShootAsync(page, "kubernetes-secret");

        // Delete: the button waits for the exact name; a forced submit with the wrong name deletes nothing.
        await page.GotoAsync($"/projects/{project}/registries");
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Registry" }).ClickAsync();
        await Expect(page.GetByText("This action is irreversible.")).ToBeVisibleAsync();
        await Expect(page.GetByText("This registry is in use.")).ToBeVisibleAsync();
        var confirm = page.GetByLabel($"Type {registry} to confirm");
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete registry permanently" });
        await Expect(delete).ToBeDisabledAsync();
        await confirm.FillAsync(registry + "x");
        await Expect(delete).ToBeDisabledAsync();
        await screens.ShootAsync(page, "delete-mismatch");
        await delete.EvaluateAsync("button => { button.disabled = false; button.click(); }");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match");
        await screens.ShootAsync(page, "delete-refused");
        Assert.Equal(registry, (await fixture.Admin.GetRegistryAsync(registry)).Name);
        await confirm.FillAsync(registry);
        await Expect(delete).ToBeEnabledAsync();
        await delete.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/projects/{project}/registries$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Registry {registry} was deleted");
        await Expect(row).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "registry-deleted");
        using (var gone = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.False((await skopeo.InspectRawAsync(reference, $"{registry}:{newPassword}")).Succeeded);

        // Everything above is in the project's audit log.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        foreach (var action in new[] { "project.created", "registry.created", "registry.resized", "registry.password.reset", "registry.deleted" })
        {
            await Expect(page.GetByText(action, new() { Exact = true })).ToBeVisibleAsync();
        }

        await screens.ShootAsync(page, "audit-log");
    }

    [Fact]
    public async Task ViewerBrowsesButGetsNoOwnerActions()
    {
        var screens = new Screens(fixture.ScreenshotDir, "viewer", output);
        var created = await fixture.Admin.CreateProjectAndRegistryAsync("v");
        var username = Names.Unique("viewer");
        const string ViewerPassword = "viewer-password-123";
        using (var response = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = ViewerPassword }))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        using (var response = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{created.Project}/members/{username}", new { role = "viewer" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/projects/{created.Project}/registries");
        await SignInAsync(page, username, ViewerPassword);
        var row = page.Locator($"tr[data-registry='{created.Name}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create registry" })).ToHaveCountAsync(0);
        await row.Locator("summary").ClickAsync();
        await Expect(row.GetByRole(AriaRole.Menuitem, new() { Name = "View Detail" })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Menuitem, new() { Name = "Change Password" })).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Registry" })).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "registries-menu");

        await row.GetByRole(AriaRole.Menuitem, new() { Name = "View Detail" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = created.Name })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Delete Registry" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resize" })).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "registry-detail");

        // Phone-sized: the navigation folds above the content and tables drop their secondary columns.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"/projects/{created.Project}/registries");
        await Expect(row).ToBeVisibleAsync();
        await screens.ShootAsync(page, "registries-narrow");
        await page.SetViewportSizeAsync(1280, 800);

        // Typing the address of an owner page gets the designed "forbidden" page, and nothing happens.
        var response403 = await page.GotoAsync($"/registries/{created.Name}/delete");
        Assert.Equal(403, response403!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forbidden" })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "forbidden");

        // A project they are not a member of does not exist for them.
        var other = await fixture.Admin.CreateProjectAsync(Names.Unique("other"));
        var response404 = await page.GotoAsync($"/projects/{other.Name}/registries");
        Assert.Equal(404, response404!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Project not found" })).ToBeVisibleAsync();
        await screens.ShootAsync(page, "not-found");
    }

    [Fact]
    public async Task WrongPasswordIsRefusedAtSignIn()
    {
        var screens = new Screens(fixture.ScreenshotDir, "login", output);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        await SignInAsync(page, "admin", "not-the-password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong username or password.");
        await screens.ShootAsync(page, "wrong-password");
    }

    [Fact]
    public async Task VulnerabilitiesShowAsBadgesAndAFilterableFindingsTable()
    {
        var screens = new Screens(fixture.ScreenshotDir, "scan", output);
        using (var import = new StringContent(ScanFixtures.Advisories, System.Text.Encoding.UTF8, "application/json"))
        using (var imported = await fixture.Admin.Http.PostAsync("api/v1/vulndb?source=fixtures", import))
        {
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("vs");
        var layout = Path.Combine(fixture.WorkDir, "scan-" + registry.Name);
        var image = ScanFixtures.WriteDebianImage(layout, "1.0");
        (await fixture.Skopeo.CopyAsync($"oci:{layout}:1.0", Skopeo.Docker(registry.Image("shop/web", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await SignInAsync(page, "admin", fixture.Server.AdminPassword);
        await Expect(page.Locator("#advisory-db")).ToContainTextAsync("advisories from");

        // The repository's artifacts carry severity badges once the on-push scan is done (a reload shows the new state).
        var artifact = page.Locator($"tr[data-digest='{image.Digest}']");
        for (var attempt = 0; attempt < 60 && await artifact.Locator("[data-scan='done']").CountAsync() == 0; attempt++)
        {
            await page.GotoAsync($"/registries/{registry.Name}/repositories/shop/web");
            await Task.Delay(attempt == 0 ? 0 : 500);
        }

        var badge = artifact.Locator("[data-scan='done']");
        await Expect(badge).ToHaveAttributeAsync("aria-label", "1 critical, 2 high");
        await Expect(badge.Locator(".sev.critical")).ToHaveTextAsync("1 C");
        await Expect(badge.Locator(".sev.high")).ToHaveTextAsync("2 H");
        await screens.ShootAsync(page, "repository-badges");

        // The manifest: counts by severity, and every finding with its advisory, CVE, package and versions.
        await artifact.Locator("a.mono").ClickAsync();
        var findings = page.Locator("#findings tbody tr");
        await Expect(findings).ToHaveCountAsync(3);
        var openssl = page.Locator("#findings tr[data-advisory='DSA-9001-1']");
        await Expect(openssl).ToContainTextAsync("critical");
        await Expect(openssl).ToContainTextAsync("CVE-2099-0001");
        await Expect(openssl).ToContainTextAsync("libssl3");
        await Expect(openssl).ToContainTextAsync("3.0.11-1~deb12u1");
        await Expect(openssl).ToContainTextAsync("3.0.13-1~deb12u1");
        await Expect(openssl).ToContainTextAsync("9.8");
        await Expect(page.Locator("#scan-state")).ToContainTextAsync("5 packages");
        await screens.ShootAsync(page, "manifest-vulnerabilities");

        // Filters are a plain GET form: severity, then text; a filter that matches nothing says so.
        await page.GetByLabel("Severity at least").SelectOptionAsync("critical");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(findings).ToHaveCountAsync(1);
        await Expect(findings.First).ToHaveAttributeAsync("data-advisory", "DSA-9001-1");
        await page.GetByLabel("Severity at least").SelectOptionAsync("");
        await page.GetByLabel("Package or advisory").FillAsync("lodash");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(findings).ToHaveCountAsync(1);
        await Expect(findings.First).ToHaveAttributeAsync("data-advisory", "GHSA-9001-lodash");
        await screens.ShootAsync(page, "manifest-filtered");
        await page.GetByLabel("Package or advisory").FillAsync("no-such-package");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("#no-findings")).ToBeVisibleAsync();

        // Scan now queues a new scan and says so.
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("A scan is queued");
    }

    [Fact]
    public async Task TheCoreFlowsWorkWithoutJavaScript()
    {
        var screens = new Screens(fixture.ScreenshotDir, "nojs", output);
        var page = await fixture.NewPageAsync(javaScript: false);
        var project = Names.Unique("plain");
        var registry = Names.Unique("nojs");

        await page.GotoAsync("/");
        await SignInAsync(page, "admin", fixture.Server.AdminPassword);
        await page.GetByLabel("Project name").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create registry" }).ClickAsync();
        await page.GetByLabel("Registry name").FillAsync(registry);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create registry" }).ClickAsync();
        var password = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.True(password.Length >= 32, "no password shown after create");

        // The row menu is a <details>: it opens without script.
        await page.GotoAsync($"/projects/{project}/registries");
        var row = page.Locator($"tr[data-registry='{registry}']");
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Change Password" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        var newPassword = (await page.Locator("#password").TextContentAsync())!.Trim();
        Assert.NotEqual(password, newPassword);
        await screens.ShootAsync(page, "password-reset");

        // Delete: without script the button is not held disabled, so the server's check is what refuses a wrong name.
        await page.GotoAsync($"/projects/{project}/registries");
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Registry" }).ClickAsync();
        var confirm = page.GetByLabel($"Type {registry} to confirm");
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete registry permanently" });
        await confirm.FillAsync(registry.ToUpperInvariant());
        await delete.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match");
        Assert.Equal(registry, (await fixture.Admin.GetRegistryAsync(registry)).Name);
        await screens.ShootAsync(page, "delete-refused");
        await confirm.FillAsync(registry);
        await delete.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Registry {registry} was deleted");
        using var gone = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task TheKeyboardAloneSignsInAndReachesARegistry()
    {
        var created = await fixture.Admin.CreateProjectAndRegistryAsync("kb");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");

        // The username field has the focus; Tab moves through the form in reading order; Enter submits.
        await Expect(page.GetByLabel("Username")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("admin");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Password")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(fixture.Server.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();

        // A registry row's menu opens from the keyboard and its items are reachable with Tab.
        await page.GotoAsync($"/projects/{created.Project}/registries");
        var row = page.Locator($"tr[data-registry='{created.Name}']");
        await row.Locator("summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var detail = row.GetByRole(AriaRole.Menuitem, new() { Name = "View Detail" });
        await Expect(detail).ToBeVisibleAsync();
        for (var i = 0; i < 5 && !await detail.EvaluateAsync<bool>("e => e === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(detail).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/registries/{created.Name}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = created.Name })).ToBeVisibleAsync();
    }

    private static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
