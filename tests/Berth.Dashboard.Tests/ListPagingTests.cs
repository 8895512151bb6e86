using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The dashboard's long lists in a real browser: pages of 50 with Next/Previous, search and sort links, on the project's
/// registries, a registry's repositories and the audit log.
/// </summary>
public sealed class ListPagingTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task RegistriesComeInPagesOf50WithSearchAndSort()
    {
        var screens = new Screens(fixture.ScreenshotDir, "paging", output);
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("many"))).Name;
        var names = Enumerable.Range(0, 53).Select(i => $"reg-{i:00}-{Names.Unique("x")}").ToList();
        foreach (var name in names)
        {
            await fixture.Admin.CreateRegistryAsync(project, name);
        }

        var page = await SignedInPageAsync();
        await page.GotoAsync($"/projects/{project}/registries");
        var rows = page.Locator("#registries tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        Assert.Equal(names.Take(50), await RowNamesAsync(rows, "data-registry"));
        await Expect(page.Locator("a[rel=prev]")).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "registries-page-1");

        // Page 2: the last three, and a way back to the first 50.
        await page.Locator("a[rel=next]").ClickAsync();
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal(names.Skip(50), await RowNamesAsync(rows, "data-registry"));
        await Expect(page.Locator("a[rel=next]")).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "registries-page-2");
        await page.Locator("a[rel=prev]").ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        Assert.Equal(names.Take(50), await RowNamesAsync(rows, "data-registry"));
        await Expect(page.Locator("a[rel=prev]")).ToHaveCountAsync(0);

        // Sorted by name the other way round: the last created first.
        await page.Locator("th a[data-sort=name]").ClickAsync();
        await Expect(page.Locator("th[aria-sort=descending] a[data-sort=name]")).ToBeVisibleAsync();
        Assert.Equal(names.AsEnumerable().Reverse().Take(50), await RowNamesAsync(rows, "data-registry"));

        // Newest first by creation time.
        await page.Locator("th a[data-sort=created]").ClickAsync();
        await Expect(page.Locator("th[aria-sort=descending] a[data-sort=created]")).ToBeVisibleAsync();
        Assert.Equal(names[^1], (await RowNamesAsync(rows, "data-registry"))[0]);

        // A search filters the list, keeps the sort, and Clear brings everything back.
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search registries" }).FillAsync("reg-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        Assert.Equal(names.Where(n => n.StartsWith("reg-1", StringComparison.Ordinal)).Reverse(), await RowNamesAsync(rows, "data-registry"));
        await screens.ShootAsync(page, "registries-search");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search registries" }).FillAsync("no-such-registry");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(page.Locator("#no-match")).ToContainTextAsync("No registry matches");
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);

        // The audit log: 53 registry creations after the project's, newest first, 50 a page.
        await page.GotoAsync($"/projects/{project}/audit");
        var events = page.Locator("#events tbody tr");
        await Expect(events).ToHaveCountAsync(50);
        await Expect(events.First).ToContainTextAsync(names[^1]);
        await page.Locator("a[rel=next]").ClickAsync();
        await Expect(events).ToHaveCountAsync(4);
        await Expect(events.Nth(2)).ToContainTextAsync(names[0]);
        await Expect(events.Last).ToContainTextAsync("project.created");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search action, actor or registry" }).FillAsync(names[7]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(events).ToHaveCountAsync(1);
        await screens.ShootAsync(page, "audit-search");
    }

    [Fact]
    public async Task ARegistrysRepositoriesAreSearchedAndSorted()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("rl");
        var image = fixture.BuildImage(seed: 3, tag: "1");
        foreach (var repository in new[] { "web/api", "db", "web/ui" })
        {
            (await fixture.Skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image(repository, "1")), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        var page = await SignedInPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        var rows = page.Locator("section[aria-labelledby=repositories] tbody tr");
        Assert.Equal(["db", "web/api", "web/ui"], await RowNamesAsync(rows, "data-repository"));
        await Expect(page.Locator("section[aria-labelledby=repositories] .pager")).ToHaveCountAsync(0);

        await page.Locator("th a[data-sort=updated]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("sort=-updated#repositories$"));
        Assert.Equal(["web/ui", "db", "web/api"], await RowNamesAsync(rows, "data-repository"));

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search repositories" }).FillAsync("web/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(2);
        Assert.Equal(["web/ui", "web/api"], await RowNamesAsync(rows, "data-repository"));
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
        return page;
    }

    private static async Task<List<string>> RowNamesAsync(ILocator rows, string attribute)
    {
        var names = new List<string>();
        foreach (var row in await rows.AllAsync())
        {
            names.Add((await row.GetAttributeAsync(attribute))!);
        }

        return names;
    }
}
