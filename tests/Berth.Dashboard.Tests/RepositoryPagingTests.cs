using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>The repository page shows 50 artifacts a page with working Next and Previous links (the shared pager), and searches tags.</summary>
public sealed class RepositoryPagingTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string ManifestType = "application/vnd.oci.image.manifest.v1+json";

    [Fact]
    public async Task TheRepositoryPageShowsFiftyArtifactsAndANextLinkToTheRest()
    {
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("pg");
        var digests = await PushManifestsAsync(registry, "team/big", 60);

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

    /// <summary>
    /// <paramref name="count"/> image manifests t000… over one config and layer, pushed a little apart so their push
    /// times order them; returns their digests in push order.
    /// </summary>
    private async Task<List<string>> PushManifestsAsync(CreatedRegistry registry, string repository, int count)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);
        var name = registry.Repo(repository);
        var layer = RandomNumberGenerator.GetBytes(64);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(Digest(layer)) },
        }.ToJsonString());
        foreach (var blob in new[] { layer, config })
        {
            using var content = new ByteArrayContent(blob);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var posted = await http.PostAsync($"/v2/{name}/blobs/uploads/?digest={Digest(blob)}", content);
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        var digests = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var manifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = ManifestType,
                ["config"] = OciImageBuilder.Descriptor(OciImageBuilder.ConfigMediaType, Digest(config), config.Length),
                ["layers"] = new JsonArray(OciImageBuilder.Descriptor("application/vnd.oci.image.layer.v1.tar", Digest(layer), layer.Length)),
                ["annotations"] = new JsonObject { ["seq"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }.ToJsonString());
            using var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(ManifestType);
            using var put = await http.PutAsync($"/v2/{name}/manifests/t{i:D3}", content);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            digests.Add(Digest(manifest));

            // Push times are kept to the tick; a pause keeps two pushes from sharing one (ties go by digest).
            await Task.Delay(2);
        }

        return digests;
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
