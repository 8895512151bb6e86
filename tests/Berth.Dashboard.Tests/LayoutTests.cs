using System.Net.Http.Json;
using System.Text.Json;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Issue 12, "Layout and product rules": on a 390×844 phone viewport, with a 63-character project and registry name,
/// a long repository path and a long tag, no page scrolls sideways, the row menu and the page actions stay on screen and
/// the artifact table keeps its Scan column in view; the dark theme follows <c>prefers-color-scheme</c> with readable
/// badges and buttons; the favicon is served; the resize form moves in allocation steps; the nearly-full and full
/// notices show in the registry list and on the registry page; the delete page shows the best-practice checklist.
/// </summary>
public sealed class LayoutTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const int PhoneWidth = 390;

    /// <summary>A data set with every name as long as it may be, pushed with skopeo.</summary>
    private sealed record LongNames(string Project, string Registry, string Repository, string Tag, string Digest);

    [Fact]
    public async Task NoPageScrollsSidewaysOnAPhoneAndActionsStayOnScreen()
    {
        var data = await LongNamesAsync();
        var screens = new Screens(fixture.ScreenshotDir, "layout", output);
        var page = await NewPhonePageAsync(fixture.Server.BaseUrl);
        await SignInAsync(page, fixture.Server.AdminPassword);

        await page.GotoAsync("/projects");
        await Expect(page.Locator($"a[title='{data.Project}']")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "project list");
        await screens.ShootAsync(page, "projects");

        // The project switcher, open, with the long project name in it.
        await page.GotoAsync($"/projects/{data.Project}/registries");
        await page.Locator(".switcher > summary").ClickAsync();
        await Expect(page.Locator(".switcher .popover")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "open project switcher");
        await AssertOnScreenAsync(page, page.Locator(".switcher .popover"), "open project switcher");
        await page.Keyboard.PressAsync("Escape");

        // The registry list: the long name is cut short (full name in its title), the row menu stays on screen, and so
        // does the menu it opens.
        await page.GotoAsync($"/projects/{data.Project}/registries");
        var row = page.Locator($"tr[data-registry='{data.Registry}']");
        await Expect(row.Locator($"a[title='{data.Registry}']")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "registry list");
        await AssertOnScreenAsync(page, row.Locator("summary.kebab"), "row menu button");
        await row.Locator("summary.kebab").ClickAsync();
        var delete = row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Registry" });
        await Expect(delete).ToBeVisibleAsync();
        await AssertOnScreenAsync(page, row.Locator(".popover"), "open row menu");
        var (button, menu) = (await row.Locator("summary.kebab").BoundingBoxAsync(), await row.Locator(".popover").BoundingBoxAsync());
        Assert.True(Math.Abs(button!.X + button.Width - (menu!.X + menu.Width)) < 2 && menu.Y >= button.Y + button.Height,
            $"the menu ({menu.X}..{menu.X + menu.Width}, y={menu.Y}) is not under its button ({button.X}..{button.X + button.Width}, bottom {button.Y + button.Height})");
        await AssertOnTopAsync(delete, "Delete Registry menu item");
        await screens.ShootAsync(page, "registries-menu");
        await delete.ClickAsync();
        await Expect(page).ToHaveURLAsync($"{fixture.Server.BaseUrl}registries/{data.Registry}/delete");

        // The registry page: its actions and the repository table.
        await page.GotoAsync($"/registries/{data.Registry}");
        await Expect(page.Locator($"tr[data-repository='{data.Repository}']")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "registry page");
        await AssertOnScreenAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Delete Registry" }), "Delete Registry button");
        await AssertOnScreenAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Resize" }), "Resize button");
        await screens.ShootAsync(page, "registry");

        // The repository page: the artifact row keeps its Scan column in view.
        await page.GotoAsync($"/registries/{data.Registry}/repositories/{data.Repository}");
        var artifact = page.Locator($"tr[data-digest='{data.Digest}']");
        await Expect(artifact.Locator($".badge[title='{data.Tag}']")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "repository page");
        var scanHeader = page.GetByRole(AriaRole.Columnheader, new() { Name = "Scan" });
        await Expect(scanHeader).ToBeVisibleAsync();
        await AssertOnScreenAsync(page, scanHeader, "Scan column header");
        await AssertOnTopAsync(scanHeader, "Scan column header");
        await AssertOnScreenAsync(page, artifact.Locator("[data-scan]"), "the artifact's scan badge");
        await AssertOnTopAsync(artifact.Locator("[data-scan]"), "the artifact's scan badge");
        await screens.ShootAsync(page, "repository");

        // The manifest page.
        await artifact.Locator("a.mono").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Layers (2)" })).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "manifest page");
        await AssertOnScreenAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Delete manifest" }), "Delete manifest link");
        await screens.ShootAsync(page, "manifest");

        // The delete page, with the best-practice checklist beside the safety report.
        await page.GotoAsync($"/registries/{data.Registry}/delete");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Before you delete" })).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page, "delete page");
        await AssertOnScreenAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Delete registry permanently" }), "delete button");
        await screens.ShootAsync(page, "delete");
    }

    [Fact]
    public async Task TheDeletePageListsTheBestPracticesBesideTheRecentPulls()
    {
        var data = await LongNamesAsync();
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, fixture.Server.AdminPassword);

        // Pull counts reach the safety report when the server flushes them (every 200 ms under this fixture).
        for (var i = 0; i < 50 && (await fixture.Admin.Http.GetFromJsonAsync<JsonElement>($"api/v1/registries/{data.Registry}/safety-report")).GetProperty("pullsLast7Days").GetInt64() == 0; i++)
        {
            await Task.Delay(200);
        }

        await page.GotoAsync($"/registries/{data.Registry}/delete");

        var items = page.Locator("#checklist li");
        await Expect(items).ToHaveCountAsync(5);
        await Expect(items.Nth(0)).ToContainTextAsync("Back up");
        await Expect(items.Nth(1)).ToContainTextAsync("another registry");
        await Expect(items.Nth(2)).ToContainTextAsync("CI/CD");
        await Expect(items.Nth(3)).ToContainTextAsync("Kubernetes manifests");
        await Expect(items.Nth(4)).ToContainTextAsync("no workloads still pull");

        // The last item reads the safety report: the image was pulled once (skopeo inspect) since it was pushed.
        await Expect(items.Nth(4)).ToContainTextAsync("1 pull in the last 7 days");
        await Expect(page.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(5);
        await page.GetByRole(AriaRole.Checkbox).First.CheckAsync();
        await Expect(page.GetByRole(AriaRole.Checkbox).First).ToBeCheckedAsync();

        // Beside the safety report on a wide screen: the two cards share a row.
        var checklist = await page.Locator("section[aria-labelledby='checklist-heading']").BoundingBoxAsync();
        var safety = await page.Locator("section[aria-labelledby='safety']").BoundingBoxAsync();
        Assert.True(Math.Abs(checklist!.Y - safety!.Y) < 1, $"checklist at y={checklist.Y}, safety report at y={safety.Y}");
        Assert.True(safety.X > checklist.X + checklist.Width, $"safety report at x={safety.X}, checklist ends at {checklist.X + checklist.Width}");
    }

    [Fact]
    public async Task TheDarkThemeFollowsTheSystemAndKeepsBadgesAndButtonsReadable()
    {
        var data = await LongNamesAsync();
        var page = await NewPhonePageAsync(fixture.Server.BaseUrl);
        await SignInAsync(page, fixture.Server.AdminPassword);
        var screens = new Screens(fixture.ScreenshotDir, "dark", output);
        string[] paths =
        [
            $"/projects/{data.Project}/registries", $"/registries/{data.Registry}",
            $"/registries/{data.Registry}/repositories/{data.Repository}", $"/registries/{data.Registry}/delete",
        ];

        var backgrounds = new Dictionary<ColorScheme, string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            foreach (var path in paths)
            {
                await page.GotoAsync(path);
                var poor = await page.EvaluateAsync<string[]>(PoorContrastScript);
                Assert.True(poor.Length == 0, $"{scheme} {path}: text below 4.5:1 contrast:\n" + string.Join("\n", poor));
            }

            backgrounds[scheme] = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor + ' ' + getComputedStyle(document.querySelector('.card')).backgroundColor");
            await screens.ShootAsync(page, scheme.ToString().ToLowerInvariant());
        }

        Assert.NotEqual(backgrounds[ColorScheme.Light], backgrounds[ColorScheme.Dark]);
        output.WriteLine($"backgrounds (page, card): light {backgrounds[ColorScheme.Light]}, dark {backgrounds[ColorScheme.Dark]}");
    }

    [Fact]
    public async Task TheFaviconIsLinkedAndServed()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/login");
        var href = await page.Locator("link[rel='icon']").GetAttributeAsync("href");
        Assert.False(string.IsNullOrEmpty(href), "no <link rel=icon>");

        // Signed out, as a browser asks for it on the login page; /favicon.ico too, which browsers try on their own.
        foreach (var path in new[] { href!, "/favicon.ico" })
        {
            var response = await page.APIRequest.GetAsync(path);
            Assert.True(response.Status == 200, $"{path}: {response.Status}");
            Assert.StartsWith("image/svg+xml", response.Headers["content-type"], StringComparison.Ordinal);
            Assert.Contains("<svg", await response.TextAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheResizeFormMovesInAllocationSteps()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("step");
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, fixture.Server.AdminPassword);
        await page.GotoAsync($"/registries/{registry.Name}");

        // The form offers 10 GiB steps (the default), starting from the current 10 GiB.
        var size = page.GetByLabel("Allocation (GiB)");
        await Expect(size).ToHaveAttributeAsync("step", "10");
        await Expect(size).ToHaveAttributeAsync("min", "10");
        await Expect(size).ToHaveValueAsync("10");
        await Expect(page.Locator("#resize-hint")).ToContainTextAsync("In steps of 10 GiB");

        // A size off the step, sent past the browser's own check, is refused by the server with the nearest steps.
        await size.EvaluateAsync("input => input.removeAttribute('step')");
        await size.FillAsync("25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resize" }).ClickAsync();
        await Expect(page.Locator("#resize-error")).ToContainTextAsync("Allocations move in steps of 10.0 GiB");
        await Expect(page.Locator("#resize-error")).ToContainTextAsync("Choose 20.0 GiB or 30.0 GiB");
        Assert.Equal(10L << 30, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);

        await page.GetByLabel("Allocation (GiB)").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resize" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("now 30.0 GiB");
        Assert.Equal(30L << 30, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
    }

    [Fact]
    public async Task NearlyFullAndFullNoticesShowInTheListAndOnTheRegistryPage()
    {
        // Its own server, whose registries get 64 KiB: one small image takes a registry past 80 %, another to 100 %.
        const long Limit = 64 * 1024;
        await using var server = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Berth__Registries__DefaultStorageLimitBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var admin = new ManagementClient(server.BaseUrl, "admin", server.AdminPassword);
        var registry = await admin.CreateProjectAndRegistryAsync("notice");
        var page = await NewPhonePageAsync(server.BaseUrl);
        await SignInAsync(page, server.AdminPassword);
        var row = page.Locator($"tr[data-registry='{registry.Name}']");

        await page.GotoAsync($"/projects/{registry.Project}/registries");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("[data-usage-notice]")).ToHaveCountAsync(0);

        // Over 80 %: pushed with skopeo, a ~55 KiB image (random, incompressible files).
        var skopeo = new Skopeo(Path.Combine(fixture.WorkDir, $"skopeo-{Guid.NewGuid():N}"));
        var big = new OciImageBuilder { Seed = 41, LayerCount = 1, FilesPerLayer = 1, Tag = "1", FileSize = 54 * 1024 }.Build(Path.Combine(fixture.WorkDir, $"layout-{Guid.NewGuid():N}"));
        (await skopeo.CopyAsync(big.OciReference, Skopeo.Docker(registry.Image("big", "1")), destinationCreds: $"{registry.Name}:{registry.Password}")).EnsureSuccess();
        var usage = (await admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.InRange(usage, Limit * 80 / 100, Limit - 1);
        Assert.Equal("nearly_full", await NoticeAsync(admin, registry.Name));

        var screens = new Screens(fixture.ScreenshotDir, "notice", output);
        await page.ReloadAsync();
        await Expect(row.Locator("[data-usage-notice='nearly_full']")).ToContainTextAsync("Nearly full");
        await AssertNoSidewaysScrollAsync(page, "registry list, nearly full");
        await screens.ShootAsync(page, "list-nearly-full");
        await page.GotoAsync($"/registries/{registry.Name}");
        var notice = page.Locator("[data-usage-notice]");
        await Expect(notice).ToHaveAttributeAsync("data-usage-notice", "nearly_full");
        await Expect(notice).ToContainTextAsync("Over 80 % of the allocation is in use");
        await screens.ShootAsync(page, "registry-nearly-full");

        // The rest of the allocation, exactly: a blob of the bytes left, pushed through /v2.
        using (var http = new HttpClient { BaseAddress = server.BaseUrl })
        {
            var left = (int)(Limit - usage);
            await PushBlobAsync(http, registry, new byte[left]);
        }

        Assert.Equal(Limit, (await admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        Assert.Equal("full", await NoticeAsync(admin, registry.Name));
        await page.ReloadAsync();
        await Expect(page.Locator("[data-usage-notice]")).ToHaveAttributeAsync("data-usage-notice", "full");
        await Expect(page.Locator("[data-usage-notice]")).ToContainTextAsync("pushes are refused");
        await screens.ShootAsync(page, "registry-full");
        await page.GotoAsync($"/projects/{registry.Project}/registries");
        await Expect(row.Locator("[data-usage-notice='full']")).ToContainTextAsync("Full");
    }

    private static async Task<string?> NoticeAsync(ManagementClient admin, string registry)
    {
        var detail = await admin.Http.GetFromJsonAsync<JsonElement>($"api/v1/registries/{registry}");
        var notice = detail.GetProperty("usageNotice");
        return notice.ValueKind == JsonValueKind.Null ? null : notice.GetString();
    }

    /// <summary>A monolithic blob upload (POST with the digest) with the registry's own credentials.</summary>
    private static async Task PushBlobAsync(HttpClient http, CreatedRegistry registry, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blob));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v2/{registry.Name}/filler/blobs/uploads/?digest={digest}")
        {
            Content = new ByteArrayContent(blob),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Name}:{registry.Password}")));
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"blob push: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// A 63-character project and registry (the longest names allowed), holding a repository with a long path whose
    /// image has a long tag, pushed and pulled once with skopeo.
    /// </summary>
    private async Task<LongNames> LongNamesAsync()
    {
        var project = Longest(Names.Unique("lp"));
        var registry = Longest(Names.Unique("lr"));
        await fixture.Admin.CreateProjectAsync(project);
        var created = await fixture.Admin.CreateRegistryAsync(project, registry);
        const string Repository = "platform-team/payments/settlement-reconciliation-service/batch-worker";
        var tag = "2026.12.04-build.4711-" + new string('a', 40) + "-linux-amd64-with-debug-symbols";
        var image = fixture.BuildImage(seed: 12, tag: tag);
        var reference = Skopeo.Docker(created.Image(Repository, tag));
        var creds = $"{created.Name}:{created.Password}";
        (await fixture.Skopeo.CopyAsync(image.OciReference, reference, destinationCreds: creds)).EnsureSuccess();
        (await fixture.Skopeo.InspectRawAsync(reference, creds)).EnsureSuccess();
        return new LongNames(project, registry, Repository, tag, image.ManifestDigest);
    }

    /// <summary>The name padded to 63 characters, still a valid DNS label.</summary>
    private static string Longest(string name) => (name + "-" + new string('x', 63))[..63];

    private async Task<IPage> NewPhonePageAsync(Uri baseUrl)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = PhoneWidth, Height = 844 },
            DeviceScaleFactor = 1,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    private static async Task SignInAsync(IPage page, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page, string what)
    {
        var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("innerWidth"));
        if (scrollWidth > innerWidth)
        {
            // What sticks out (not counting what a scrolling table or a clipped name holds), to say where to look.
            var culprits = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll("body *")]
                    .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > innerWidth + 0.5 && !e.parentElement.closest(".table-scroll, .clip"))
                    .slice(0, 12).map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)
                """);
            Assert.Fail($"{what}: the page is {scrollWidth} px wide in a {innerWidth} px viewport; sticking out:\n" + string.Join("\n", culprits));
        }
    }

    /// <summary>Entirely inside the viewport, horizontally (scrolled into view vertically first).</summary>
    private static async Task AssertOnScreenAsync(IPage page, ILocator locator, string what)
    {
        await locator.ScrollIntoViewIfNeededAsync();
        var box = await locator.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{what} is not rendered");
        var width = await page.EvaluateAsync<int>("innerWidth");
        Assert.True(box.X >= 0 && box.X + box.Width <= width, $"{what} spans x={box.X}..{box.X + box.Width} in a {width} px viewport");
    }

    /// <summary>What a tap at the element's centre hits is the element (nothing scrolled over it or covering it).</summary>
    private static async Task AssertOnTopAsync(ILocator locator, string what)
    {
        var onTop = await locator.EvaluateAsync<bool>(
            "el => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return el === hit || el.contains(hit); }");
        Assert.True(onTop, $"{what} is covered by another element");
    }

    /// <summary>
    /// Visible text of badges, buttons, links, table headers and muted text whose colour against its background (the
    /// first opaque one up the tree) is below WCAG AA's 4.5:1; as "selector text ratio" lines.
    /// </summary>
    private const string PoorContrastScript = """
        () => {
            const parse = c => { const p = c.match(/[\d.]+/g).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
            const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
            const background = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255 }; };
            const poor = [];
            for (const el of document.querySelectorAll(".badge, .btn, .sev, a, th, .muted, .faint, .crumbs, label, .usage-notice span, h1, h2")) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || !el.textContent.trim() || el.closest("[aria-hidden=true]") || el.disabled) continue;
                const fg = lum(parse(getComputedStyle(el).color)), bg = lum(background(el));
                const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
                if (ratio < 4.5) poor.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}`);
            }
            return poor;
        }
        """;
}
