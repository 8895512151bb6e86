using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// The keyset paging of a repository's artifacts and tags in the management API: <c>?limit=&amp;after=&amp;q=&amp;sort=</c>,
/// the <c>Link: rel="next"</c> header, and 400 problems for what is out of range.
/// </summary>
public sealed class RepositoryPagingTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const int Count = 250;

    // The repository is built once for the class (every test only reads it): 250 manifest PUTs.
    private static readonly Lock Gate = new();
    private static Task<(CreatedRegistry Registry, Dictionary<string, string> DigestByTag)>? _repository;

    private Task<(CreatedRegistry Registry, Dictionary<string, string> DigestByTag)> RepositoryAsync()
    {
        lock (Gate)
        {
            return _repository ??= CreateRepositoryAsync(fixture);
        }
    }

    /// <summary>A repository with <see cref="Count"/> image manifests, each under its own tag t000…t249 (t100 also under "latest").</summary>
    private static async Task<(CreatedRegistry Registry, Dictionary<string, string> DigestByTag)> CreateRepositoryAsync(BerthFixture fixture)
    {
        var registry = await fixture.NewRegistryAsync("pg");
        using var client = fixture.Client(registry);
        var name = registry.Repo("team/big");
        var layer = ImageContent.RandomBlob(64);
        var layerDigest = await client.PushBlobAsync(name, layer);
        var config = ImageContent.Config(layerDigest);
        var configDigest = await client.PushBlobAsync(name, config);
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Count; i++)
        {
            // The same config and layer; an annotation makes each manifest (and digest) its own.
            var manifest = JsonNode.Parse(ImageContent.Manifest((configDigest, config.Length), (layerDigest, layer.Length)))!.AsObject();
            manifest["annotations"] = new JsonObject { ["seq"] = i.ToString("D3", CultureInfo.InvariantCulture) };
            var tag = $"t{i:D3}";
            digests[tag] = await client.PushManifestAsync(name, tag, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        }

        using var latest = await client.PutManifestAsync(name, "latest", await ManifestBytesAsync(client, name, "t100"));
        Assert.Equal(HttpStatusCode.Created, latest.StatusCode);
        return (registry, digests);
    }

    [Fact]
    public async Task TagsComeAHundredAPageThroughLinkEachOnceInNameOrder()
    {
        var (registry, digests) = await RepositoryAsync();
        var (pages, tags) = await FollowAsync(Path(registry, "tags?limit=100"));

        Assert.Equal(3, pages);
        Assert.Equal(digests.Keys.Append("latest").Order(StringComparer.Ordinal), tags.Select(t => t.GetProperty("name").GetString()!));
        Assert.All(tags.Where(t => t.GetProperty("name").GetString() != "latest"),
            t => Assert.Equal(digests[t.GetProperty("name").GetString()!], t.GetProperty("digest").GetString()!));

        // Without ?limit= a page is 100 long too; the other sorts reach every tag once as well.
        var first = await fixture.Admin.GetRawJsonAsync(Path(registry, "tags"));
        Assert.Equal(100, first.GetArrayLength());
        var descending = (await FollowAsync(Path(registry, "tags?sort=-name&limit=100"))).Items.Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Equal(digests.Keys.Append("latest").Order(StringComparer.Ordinal).Reverse(), descending);
        var byUpdate = (await FollowAsync(Path(registry, "tags?sort=-updated&limit=64"))).Items;
        Assert.Equal(Count + 1, byUpdate.Select(t => t.GetProperty("name").GetString()!).Distinct().Count());
        var times = byUpdate.Select(t => t.GetProperty("updatedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal("latest", byUpdate[0].GetProperty("name").GetString()!);
    }

    [Fact]
    public async Task ArtifactsComeNewestFirstAPageAtATimeEachOnceWithTheirTags()
    {
        var (registry, digests) = await RepositoryAsync();
        var (pages, artifacts) = await FollowAsync(Path(registry, "artifacts?limit=100"));

        Assert.Equal(3, pages);
        Assert.Equal(digests.Values.Order(StringComparer.Ordinal), artifacts.Select(a => a.GetProperty("digest").GetString()!).Order(StringComparer.Ordinal));
        var pushed = artifacts.Select(a => a.GetProperty("pushedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(pushed.OrderDescending(), pushed);
        var shared = artifacts.Single(a => a.GetProperty("digest").GetString() == digests["t100"]);
        Assert.Equal(["latest", "t100"], shared.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.All(artifacts, a => Assert.Equal("image", a.GetProperty("artifactType").GetString()));
        Assert.All(artifacts, a => Assert.Equal(["linux/amd64"], a.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()!)));

        var oldestFirst = (await FollowAsync(Path(registry, "artifacts?sort=pushed&limit=1000"))).Items;
        Assert.Equal(artifacts.Select(a => a.GetProperty("digest").GetString()!).Reverse(), oldestFirst.Select(a => a.GetProperty("digest").GetString()!));
    }

    [Fact]
    public async Task ASearchKeepsTheArtifactsAndTagsWhoseTagContainsIt()
    {
        var (registry, digests) = await RepositoryAsync();

        // t240…t249; case-insensitive.
        var expected = digests.Where(p => p.Key.StartsWith("t24", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, expected.Count);
        var tags = (await FollowAsync(Path(registry, "tags?q=T24&limit=5"))).Items;
        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), tags.Select(t => t.GetProperty("name").GetString()!));
        var artifacts = (await FollowAsync(Path(registry, "artifacts?q=t24&limit=4"))).Items;
        Assert.Equal(expected.Select(p => p.Value).Order(StringComparer.Ordinal),
            artifacts.Select(a => a.GetProperty("digest").GetString()!).Order(StringComparer.Ordinal));

        // LIKE's wildcards are plain characters in a search.
        Assert.Equal(0, (await fixture.Admin.GetRawJsonAsync(Path(registry, "tags?q=t_4"))).GetArrayLength());
        Assert.Equal(0, (await fixture.Admin.GetRawJsonAsync(Path(registry, "artifacts?q=%25"))).GetArrayLength());
    }

    [Fact]
    public async Task TheLastPageHasNoLinkAndALinkKeepsTheSearchAndSort()
    {
        var (registry, _) = await RepositoryAsync();
        using (var response = await fixture.Admin.Http.GetAsync(Path(registry, "tags?q=t1&sort=-name&limit=10")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var link = Assert.Single(response.Headers.GetValues("Link"));
            Assert.Matches("""^<[^>]+>; rel="next"$""", link);
            var next = new Uri(fixture.Server.BaseUrl, link[1..link.IndexOf('>', StringComparison.Ordinal)]);
            Assert.Equal($"/api/v1/registries/{registry.Name}/repositories/team/big/tags", next.AbsolutePath);
            Assert.Contains("q=t1", next.Query, StringComparison.Ordinal);
            Assert.Contains("sort=-name", next.Query, StringComparison.Ordinal);
            Assert.Contains("limit=10", next.Query, StringComparison.Ordinal);
            Assert.Contains("after=", next.Query, StringComparison.Ordinal);
        }

        using var last = await fixture.Admin.Http.GetAsync(Path(registry, "tags?limit=1000"));
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.False(last.Headers.Contains("Link"));
        Assert.Equal(Count + 1, JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("tags?limit=0")]
    [InlineData("tags?limit=1001")]
    [InlineData("tags?limit=ten")]
    [InlineData("tags?sort=size")]
    [InlineData("tags?after=not-a-cursor")]
    [InlineData("artifacts?limit=-1")]
    [InlineData("artifacts?sort=name")]
    [InlineData("artifacts?after=%2F%2F%2F")]
    public async Task WhatIsOutOfRangeIsA400Problem(string query)
    {
        var (registry, _) = await RepositoryAsync();
        using var response = await fixture.Admin.Http.GetAsync(Path(registry, query));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task ACursorOfAnotherListingOrSortKeyIsA400Problem()
    {
        var (registry, _) = await RepositoryAsync();
        var tagsNext = await NextCursorAsync(Path(registry, "tags?limit=2"));
        var artifactsNext = await NextCursorAsync(Path(registry, "artifacts?limit=2"));

        // A cursor names its sort key (not the direction: read the other way, it pages backwards).
        foreach (var query in new[] { $"artifacts?after={tagsNext}", $"tags?after={artifactsNext}", $"tags?sort=updated&after={tagsNext}", $"tags?sort=-updated&after={tagsNext}" })
        {
            using var response = await fixture.Admin.Http.GetAsync(Path(registry, query));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var same = await fixture.Admin.Http.GetAsync(Path(registry, $"tags?after={tagsNext}&limit=2"));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        // "latest" and t000 were the first page.
        Assert.Equal(["t001", "t002"], JsonDocument.Parse(await same.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task AManifestsDetailHasItsTags()
    {
        var (registry, digests) = await RepositoryAsync();
        var detail = await fixture.Admin.GetRawJsonAsync(Path(registry, $"manifests/{digests["t100"]}"));
        Assert.Equal(digests["t100"], detail.GetProperty("digest").GetString()!);
        Assert.Equal(["latest", "t100"], detail.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(["linux/amd64"], detail.GetProperty("platforms").EnumerateArray().Select(p => p.GetString()!));
        Assert.Equal("100", detail.GetProperty("annotations").GetProperty("seq").GetString());
    }

    private static string Path(CreatedRegistry registry, string rest) => $"api/v1/registries/{registry.Name}/repositories/team/big/{rest}";

    private static async Task<byte[]> ManifestBytesAsync(RegistryClient client, string name, string tag)
    {
        using var response = await client.GetManifestAsync(name, tag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Every page from <paramref name="path"/> on, following <c>Link: rel="next"</c>: how many pages, and their items in order.</summary>
    private async Task<(int Pages, List<JsonElement> Items)> FollowAsync(string path)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        var next = (string?)path;
        while (next is not null)
        {
            Assert.True(++pages <= 100, "the Link chain does not end");
            using var response = await fixture.Admin.Http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            items.AddRange(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.Clone()));
            next = response.Headers.TryGetValues("Link", out var links) ? LinkTarget(links.Single()) : null;
        }

        return (pages, items);
    }

    private async Task<string> NextCursorAsync(string path)
    {
        using var response = await fixture.Admin.Http.GetAsync(path);
        var target = LinkTarget(Assert.Single(response.Headers.GetValues("Link")));
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(fixture.Server.BaseUrl, target).Query);
        return Uri.EscapeDataString(query["after"]!);
    }

    private static string LinkTarget(string link)
    {
        Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}
