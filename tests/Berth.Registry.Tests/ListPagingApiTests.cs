using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Keyset paging of the management lists (registries, repositories, the audit log): JSON arrays as before, a
/// <c>Link</c> to the next page while there is one, sort and search, and 400 problems for what is out of range.
/// </summary>
public sealed partial class ListPagingApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task RegistriesArePagedThroughTheLinkHeaderSortedAndSearched()
    {
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("pg"))).Name;
        var prefix = Names.Unique("r");
        string[] names = [prefix + "-d", prefix + "-a", prefix + "-e", prefix + "-c", prefix + "-b"];
        foreach (var name in names)
        {
            await fixture.Admin.CreateRegistryAsync(project, name);
        }

        var path = $"api/v1/projects/{project}/registries";
        var pages = await AllPagesAsync(path + "?limit=2");
        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(names.Order(StringComparer.Ordinal), pages.SelectMany(p => p));

        // Everything on one page: no Link at all.
        var (all, link) = await GetPageAsync(path);
        Assert.Equal(5, all.Count);
        Assert.Null(link);

        Assert.Equal(names.Order(StringComparer.Ordinal).Reverse(), (await AllPagesAsync(path + "?limit=2&sort=-name")).SelectMany(p => p));
        Assert.Equal(names, (await AllPagesAsync(path + "?limit=3&sort=created")).SelectMany(p => p));
        Assert.Equal(names.Reverse(), (await AllPagesAsync(path + "?limit=3&sort=-created")).SelectMany(p => p));
        Assert.Equal([prefix + "-c"], (await AllPagesAsync(path + "?q=" + prefix.ToUpperInvariant() + "-C")).SelectMany(p => p));
        Assert.Empty((await GetPageAsync(path + "?q=nothing-like-it")).Items);

        // The body keeps the registry's usage fields, computed with the page.
        using var body = await fixture.Admin.Http.GetAsync(path + "?limit=1");
        var first = JsonDocument.Parse(await body.Content.ReadAsStringAsync()).RootElement[0];
        Assert.Equal(0, first.GetProperty("repositoryCount").GetInt32());
        Assert.Equal(0, first.GetProperty("storageUsageBytes").GetInt64());
    }

    [Fact]
    public async Task OutOfRangeLimitsUnknownSortsAndForeignCursorsAreProblems()
    {
        var registry = await fixture.NewRegistryAsync("pb");
        var project = registry.Project;
        await fixture.Admin.CreateRegistryAsync(project, Names.Unique("pb2"));
        var registries = $"api/v1/projects/{project}/registries";
        var (_, next) = await GetPageAsync(registries + "?limit=1");
        var nameCursor = Regex.Match(next!, "after=([^&]+)").Groups[1].Value;

        foreach (var query in new[]
                 {
                     $"{registries}?limit=0", $"{registries}?limit=1001", $"{registries}?limit=abc", $"{registries}?sort=size",
                     $"{registries}?after=!!", $"{registries}?after=YWJj", $"{registries}?sort=created&after={nameCursor}",
                     $"api/v1/registries/{registry.Name}/repositories?limit=0", $"api/v1/registries/{registry.Name}/repositories?sort=created",
                     $"api/v1/projects/{project}/audit?limit=0", $"api/v1/projects/{project}/audit?limit=1001",
                     $"api/v1/registries/{registry.Name}/audit?limit=5000",
                 })
        {
            using var response = await fixture.Admin.Http.GetAsync(query);
            Assert.Equal((query, HttpStatusCode.BadRequest), (query, response.StatusCode));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Single((await GetPageAsync(registries + "?limit=1")).Items);
        Assert.Equal(2, (await GetPageAsync(registries + "?limit=1000")).Items.Count);
    }

    [Fact]
    public async Task RepositoriesArePagedThroughTheLinkHeaderSortedAndSearched()
    {
        var registry = await fixture.NewRegistryAsync("pr");
        using var client = fixture.Client(registry);
        string[] pushed = ["web/api", "db", "web/ui"];
        foreach (var repository in pushed)
        {
            await ImageContent.PushSmallImageAsync(client, registry.Repo(repository), "1");
        }

        var path = $"api/v1/registries/{registry.Name}/repositories";
        var pages = await AllPagesAsync(path + "?limit=2");
        Assert.Equal([["db", "web/api"], ["web/ui"]], pages);
        Assert.Equal(pushed.Reverse(), (await AllPagesAsync(path + "?limit=1&sort=-updated")).SelectMany(p => p));
        Assert.Equal(["web/api", "web/ui"], (await AllPagesAsync(path + "?limit=1&q=web/")).SelectMany(p => p));

        using var body = await fixture.Admin.Http.GetAsync(path + "?q=db");
        var db = Assert.Single(JsonDocument.Parse(await body.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal((1, 1), (db.GetProperty("tagCount").GetInt32(), db.GetProperty("artifactCount").GetInt32()));
        Assert.True(db.GetProperty("sizeBytes").GetInt64() > 1024);
    }

    [Fact]
    public async Task TheAuditLogIsPagedNewestFirstAndSearched()
    {
        var registry = await fixture.NewRegistryAsync("pa");
        foreach (var gib in new[] { 20, 30, 40 })
        {
            using var resize = await fixture.Admin.Http.PatchAsync($"api/v1/registries/{registry.Name}",
                new StringContent($$"""{"storageLimitGiB":{{gib}}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, resize.StatusCode);
        }

        var path = $"api/v1/projects/{registry.Project}/audit";
        var pages = await AllPagesAsync(path + "?limit=3", "action");
        Assert.Equal([["registry.resized", "registry.resized", "registry.resized"], ["registry.created", "project.created"]], pages);
        Assert.Equal(["registry.created", "project.created"], (await AllPagesAsync(path + "?q=created", "action")).SelectMany(p => p));
        Assert.Equal(4, (await AllPagesAsync($"api/v1/registries/{registry.Name}/audit?limit=1", "action")).Count);
    }

    private async Task<List<List<string>>> AllPagesAsync(string path, string property = "name")
    {
        var pages = new List<List<string>>();
        var next = path;
        while (next is not null)
        {
            var (items, link) = await GetPageAsync(next, property);
            pages.Add(items);
            next = link?.TrimStart('/');
            Assert.True(pages.Count < 50, "the Link header never ends");
        }

        return pages;
    }

    /// <summary>One page: its items' <paramref name="property"/> and the target of its <c>Link: rel="next"</c>, if any.</summary>
    private async Task<(List<string> Items, string? Next)> GetPageAsync(string path, string property = "name")
    {
        using var response = await fixture.Admin.Http.GetAsync(path);
        Assert.Equal((path, HttpStatusCode.OK), (path, response.StatusCode));
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(e => e.GetProperty(property).GetString()!).ToList();
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return (items, null);
        }

        var match = NextLink().Match(Assert.Single(links));
        Assert.True(match.Success, "Link is not <…>; rel=\"next\"");
        return (items, match.Groups[1].Value);
    }

    [GeneratedRegex("^<([^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();
}
