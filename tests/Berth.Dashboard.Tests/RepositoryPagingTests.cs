using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>The repository page shows 50 artifacts a page with working Next and Previous links (the shared pager), and searches tags.</summary>
public sealed class RepositoryPagingTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task TheRepositoryPageShowsFiftyArtifactsAndANextLinkToTheRest()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("pg");
        var digests = await TestPushes.PushManifestsAsync(fixture.Server.BaseUrl, registry, "team/big", TestPushes.NumberedTags(60));

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/repositories/team/big");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // Newest first: t059 … t010 on the first page.
        var rows = page.Locator("tr[data-digest]");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First).ToHaveAttributeAsync("data-digest", digests[59]);
        var first = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.digest)");

        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Artifact pages" });
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(pager.GetByRole(AriaRole.Link, new() { Name = "Next" })).ToHaveCountAsync(0);
        var second = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.digest)");
        Assert.Equal(digests.AsEnumerable().Reverse(), first.Concat(second));

        await pager.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        Assert.Equal(first, await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.digest)"));

        // Oldest first through the Pushed column's header.
        await page.Locator("th a[data-sort=pushed]").ClickAsync();
        await Expect(rows.First).ToHaveAttributeAsync("data-digest", digests[0]);

        await page.GotoAsync($"/registries/{registry.Name}/repositories/team/big");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Tag contains" }).FillAsync("T05");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        Assert.Equal(digests[50..].AsEnumerable().Reverse(), await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.digest)"));

        // A cursor that no page gave shows the first page, as every keyset-paged list of the dashboard does.
        var response = await page.GotoAsync($"/registries/{registry.Name}/repositories/team/big?after=bogus");
        Assert.Equal(200, response!.Status);
        await Expect(rows.First).ToHaveAttributeAsync("data-digest", digests[59]);
    }
}
