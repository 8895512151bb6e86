using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Core;
using Berth.Core.Distribution;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Deletes that can't break a live image: a repository goes only after its name is typed (and says what it frees), a
/// platform image of an index is shown under it and can't be deleted while the index lists it, and tag and manifest
/// deletes are confirmed first and redirect (303) so that a reload repeats nothing.
/// </summary>
public sealed class DeleteSafetyTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task ARepositoryIsDeletedOnlyWithItsNameTypedAndSaysWhatItFreed()
    {
        var screens = new Screens(fixture.ScreenshotDir, "delete-repository", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("dr");
        var doomed = fixture.BuildImage(seed: 31, tag: "1.0");
        (await fixture.Skopeo.CopyAsync(doomed.OciReference, Skopeo.Docker(registry.Image("team/doomed", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        var kept = fixture.BuildImage(seed: 32, tag: "1.0");
        (await fixture.Skopeo.CopyAsync(kept.OciReference, Skopeo.Docker(registry.Image("kept", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        var freed = ByteSize.Format(doomed.Layers.Sum(l => l.Size) + doomed.ConfigBytes.LongLength);

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}");
        await SignInAsync(page);
        var row = page.Locator("tr[data-repository='team/doomed']");
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Repository" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/delete-repository\\?repository=team%2Fdoomed$"));
        await Expect(page.Locator("#freed")).ToHaveTextAsync(freed);
        await screens.ShootAsync(page, "confirm");

        // The button waits for the exact name; forced, a wrong name is refused by the server and nothing is deleted.
        var confirm = page.GetByLabel("Type team/doomed to confirm");
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete repository permanently" });
        await confirm.FillAsync("team/doome");
        await Expect(delete).ToBeDisabledAsync();
        await delete.EvaluateAsync("button => { button.disabled = false; button.click(); }");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match");
        await screens.ShootAsync(page, "refused");
        using (var still = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/team/doomed/artifacts"))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        await confirm.FillAsync("team/doomed");
        var posted = await page.RunAndWaitForResponseAsync(() => delete.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(303, posted.Status);
        await Expect(page).ToHaveURLAsync(new Regex($"/registries/{registry.Name}$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Repository team/doomed was deleted with its images; {freed} of storage is freed.");
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("tr[data-repository='kept']")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "deleted");

        // A reload is a GET of the registry page: the notice was shown once and nothing is deleted again.
        var reloaded = await page.ReloadAsync();
        Assert.Equal(("GET", 200), (reloaded!.Request.Method, reloaded.Status));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Equal(1, await AuditCountAsync(registry.Name, "repository.deleted"));
    }

    [Fact]
    public async Task APlatformImageIsNestedUnderItsIndexAndCannotBeDeletedWhileTheIndexListsIt()
    {
        var screens = new Screens(fixture.ScreenshotDir, "delete-child", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("dc");
        var layout = Path.Combine(fixture.WorkDir, "frontend-" + registry.Name);
        string[] architectures = ["amd64", "arm", "arm64"];
        var images = architectures
            .Select((architecture, i) => (architecture, Image: new OciImageBuilder { Seed = 50 + i, LayerCount = 1, FileSize = 4096, Tag = architecture }.Build(layout)))
            .ToDictionary(x => x.architecture, x => x.Image);
        var index = ScanFixtures.WriteIndex(layout, "latest", [.. architectures.Select(a => (images[a].ManifestDigest, images[a].ManifestBytes.LongLength, a))]).Digest;
        (await fixture.Skopeo.CopyAsync($"oci:{layout}:latest", Skopeo.Docker(registry.Image("frontend", "latest")), destinationCreds: registry.Creds,
            extraArguments: ["--all"])).EnsureSuccess();
        var arm = images["arm"].ManifestDigest;
        var signature = await PushSignatureAsync(registry, "frontend", index, ManifestSize(layout, index));

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/repositories/frontend");
        await SignInAsync(page);

        // The index, then its three platform images and its signature indented under it: no loose "untagged" rows.
        var rows = page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(5);
        await Expect(rows.Nth(0)).ToHaveAttributeAsync("data-digest", index);
        await Expect(rows.Nth(0)).Not.ToHaveClassAsync(new Regex("nested"));
        var child = page.Locator($"tr.nested[data-digest='{arm}']");
        await Expect(child).ToHaveAttributeAsync("data-parent", index);
        await Expect(rows.Nth(2)).ToHaveAttributeAsync("data-digest", arm);
        await Expect(rows.Nth(4)).ToHaveAttributeAsync("data-digest", signature);
        await Expect(rows.Nth(4)).ToHaveAttributeAsync("data-parent", index);
        await Expect(rows.Nth(4)).ToContainTextAsync("signature");
        await Expect(page.Locator("tr.nested")).ToHaveCountAsync(4);
        await Expect(page.GetByText("untagged")).ToHaveCountAsync(0);
        await Expect(child).ToContainTextAsync("linux/arm");
        var indent = await child.Locator("td").First.EvaluateAsync<double>("td => parseFloat(getComputedStyle(td).paddingLeft)");
        var flush = await rows.Nth(0).Locator("td").First.EvaluateAsync<double>("td => parseFloat(getComputedStyle(td).paddingLeft)");
        Assert.True(indent > flush, $"the child row is not indented ({indent}px vs {flush}px)");
        await screens.ShootAsync(page, "nested");

        // Its delete page gives the reason and no button; a forced POST is refused the same way.
        await child.Locator("a.mono").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete manifest" }).ClickAsync();
        var refusal = page.Locator("#refusal");
        await Expect(refusal).ToContainTextAsync($"Index {index} (tag latest) lists this manifest");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete manifest" })).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "refused");
        var forced = await page.RunAndWaitForResponseAsync(
            () => page.Locator("main form[method=post]").EvaluateAsync("form => form.submit()"), r => r.Request.Method == "POST");
        Assert.Equal(409, forced.Status);
        await Expect(refusal).ToBeVisibleAsync();
        (await fixture.Skopeo.CopyAsync(Skopeo.Docker(registry.Image("frontend", "latest")), $"oci:{Path.Combine(fixture.WorkDir, "copy-" + registry.Name)}:latest",
            sourceCreds: registry.Creds, extraArguments: ["--all"])).EnsureSuccess();

        // The index first (its confirmation shows what goes), then the platform image may go.
        await page.GotoAsync($"/registries/{registry.Name}/manifests/{Uri.EscapeDataString(index)}/delete?repository=frontend");
        await Expect(page.Locator("#digest")).ToHaveTextAsync(index);
        await Expect(page.Locator("#tags")).ToContainTextAsync("latest");
        await Expect(page.GetByText("linux/amd64, linux/arm, linux/arm64")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "index-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete manifest" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("and its tags were deleted");
        // Its signature lost its subject: listed at the top now, and the platform images too (no index lists them).
        await Expect(page.Locator("tr.nested")).ToHaveCountAsync(0);
        await Expect(page.Locator($"tr[data-digest='{signature}']")).ToBeVisibleAsync();
        await page.GotoAsync($"/registries/{registry.Name}/manifests/{Uri.EscapeDataString(arm)}/delete?repository=frontend");
        await Expect(page.Locator("#refusal")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete manifest" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/registries/.+/repositories/frontend$"));
        await Expect(page.Locator($"tr[data-digest='{arm}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ATagIsDeletedAfterAConfirmationAndAReloadRepeatsNothing()
    {
        var screens = new Screens(fixture.ScreenshotDir, "delete-tag", output);
        var registry = await fixture.Admin.CreateProjectAndRegistryAsync("dt");
        var image = fixture.BuildImage(seed: 33, tag: "1.0");
        foreach (var tag in new[] { "1.0", "stable" })
        {
            (await fixture.Skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("web", tag)), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/registries/{registry.Name}/manifests/{Uri.EscapeDataString(image.ManifestDigest)}?repository=web");
        await SignInAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete tag 1.0" }).ClickAsync();

        // The confirmation says what changes and what stays; nothing is untagged yet.
        await Expect(page).ToHaveURLAsync(new Regex("/delete-tag\\?repository=web&tag=1.0$"));
        await Expect(page.Locator("#digest")).ToHaveTextAsync(image.ManifestDigest);
        await Expect(page.GetByText("by digest and by tag stable")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "confirm");
        Assert.Equal(["1.0", "stable"], (await fixture.Admin.ListTagsAsync(registry.Name, "web")).Select(t => t.Name));

        var posted = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Delete tag 1.0" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(303, posted.Status);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Tag 1.0 was removed");
        await screens.ShootAsync(page, "deleted");

        // The reload is a GET of the manifest page: the notice is gone and the tag is deleted once, not again.
        var reloaded = await page.ReloadAsync();
        Assert.Equal(("GET", 200), (reloaded!.Request.Method, reloaded.Status));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Equal(["stable"], (await fixture.Admin.ListTagsAsync(registry.Name, "web")).Select(t => t.Name));
        Assert.Equal(1, await AuditCountAsync(registry.Name, "tag.deleted"));
    }

    /// <summary>A cosign-style signature of <paramref name="subject"/>, pushed over /v2 by digest (untagged), as a signer does.</summary>
    private async Task<string> PushSignatureAsync(CreatedRegistry registry, string repository, string subject, long subjectSize)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);
        var empty = "{}"u8.ToArray();
        var emptyDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(empty));
        using (var blob = await http.PostAsync($"v2/{registry.Name}/{repository}/blobs/uploads/?digest={emptyDigest}", new ByteArrayContent(empty)))
        {
            Assert.Equal(HttpStatusCode.Created, blob.StatusCode);
        }

        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = "application/vnd.dev.cosign.artifact.sig.v1+json",
            ["config"] = OciImageBuilder.Descriptor(MediaTypes.OciEmpty, emptyDigest, empty.Length),
            ["layers"] = new JsonArray(OciImageBuilder.Descriptor(MediaTypes.OciEmpty, emptyDigest, empty.Length)),
            ["subject"] = OciImageBuilder.Descriptor(MediaTypes.OciIndex, subject, subjectSize),
        }.ToJsonString());
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
        using var content = new ByteArrayContent(manifest) { Headers = { ContentType = new(MediaTypes.OciManifest) } };
        using var put = await http.PutAsync($"v2/{registry.Name}/{repository}/manifests/{digest}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    private static long ManifestSize(string layout, string digest) => new FileInfo(OciLayout.BlobPath(layout, digest)).Length;

    private async Task<int> AuditCountAsync(string registry, string action) =>
        (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry}/audit")).EnumerateArray()
            .Count(e => e.GetProperty("action").GetString() == action);

    private async Task SignInAsync(IPage page)
    {
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(fixture.Server.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
