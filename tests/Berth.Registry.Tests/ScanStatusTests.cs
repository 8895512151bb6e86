using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// What a scan says before and after advisories exist, on a server of its own whose advisory database starts empty:
/// images pushed first are "not checked", never "no known vulnerabilities"; the first import scans them again. And the
/// counting over an index and over a registry, with real pushes.
/// </summary>
public sealed class ScanStatusTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private static readonly TimeSpan ScanWait = TimeSpan.FromSeconds(60);

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task ImagesScannedBeforeAnyImportAreNotCheckedThenCountedOncePerIndexAndPerRegistry()
    {
        var status = await fixture.Admin.GetRawJsonAsync("api/v1/vulndb");
        Assert.Equal(0, status.GetProperty("advisoryCount").GetInt64());

        // A single image, and an index of two platform images that share every advisory (both Debian with openssl,
        // glibc and lodash: DSA-9001-1 critical, DSA-9002-1 and GHSA-9001-lodash high).
        var registry = await fixture.NewRegistryAsync("ns");
        var layout = fixture.NewDir("images");
        var single = ScanFixtures.WriteDebianImage(layout, "single", extra: "single");
        var amd64 = ScanFixtures.WriteDebianImage(layout, "amd64", extra: "amd64");
        var arm64 = ScanFixtures.WriteDebianImage(layout, "arm64", extra: "arm64");
        var index = ScanFixtures.WriteIndex(layout, "multi", (amd64.Digest, amd64.Size, "amd64"), (arm64.Digest, arm64.Size, "arm64"));
        (await _skopeo.CopyAsync($"oci:{layout}:single", Skopeo.Docker(registry.Image("apps/debian", "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await _skopeo.CopyAsync($"oci:{layout}:multi", Skopeo.Docker(registry.Image("multi", "2.0")), destinationCreds: registry.Creds, extraArguments: ["--all"])).EnsureSuccess();

        // Scanned (inventoried) with nothing to match against: not checked, and no counts that would read as "none".
        var notChecked = await WaitForScanAsync(registry.Name, "apps/debian", "1.0", "not_checked");
        Assert.Equal(single.Digest, notChecked.GetProperty("digest").GetString());
        Assert.Equal(0, notChecked.GetProperty("advisoryDatabaseVersion").GetInt64());
        Assert.Equal(5, notChecked.GetProperty("packageCount").GetInt32());
        var uncheckedIndex = await WaitForScanAsync(registry.Name, "multi", "2.0", "not_checked");
        Assert.All(uncheckedIndex.GetProperty("platforms").EnumerateArray(), p => Assert.Equal("not_checked", p.GetProperty("status").GetString()));
        var listed = Assert.Single((await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/apps/debian/artifacts")).EnumerateArray());
        Assert.Equal("not_checked", listed.GetProperty("scanStatus").GetString());
        var before = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/vulnerabilities");
        Assert.Equal((2, 2, 0), (before.GetProperty("images").GetInt32(), before.GetProperty("notChecked").GetInt32(), before.GetProperty("summary").GetProperty("total").GetInt32()));

        var env = CliRunner.Environment(fixture);
        var show = (await CliRunner.RunAsync(env, null, "scan", "show", $"{registry.Name}/apps/debian:1.0")).EnsureSuccess();
        Assert.Contains("not checked — no advisory data", show.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("No known vulnerabilities", show.Stdout, StringComparison.Ordinal);

        // The first import queues every one of them again, and they get their real status.
        using (var import = new StringContent(ScanFixtures.Advisories, Encoding.UTF8))
        {
            import.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var imported = await fixture.Admin.Http.PostAsync("api/v1/vulndb?source=fixtures", import);
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            Assert.Equal(3, JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement.GetProperty("rescansQueued").GetInt32());
        }

        var checkedImage = await WaitForScanAsync(registry.Name, "apps/debian", "1.0", "done");
        AssertSummary(checkedImage, critical: 1, high: 2);

        // The index: each advisory once, though both platforms have all three.
        var checkedIndex = await WaitForScanAsync(registry.Name, "multi", "2.0", "done");
        Assert.Equal(index.Digest, checkedIndex.GetProperty("digest").GetString());
        Assert.All(checkedIndex.GetProperty("platforms").EnumerateArray(), p => AssertSummary(p, critical: 1, high: 2));
        AssertSummary(checkedIndex, critical: 1, high: 2);
        var indexRow = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/multi/artifacts")).EnumerateArray()
            .Single(a => a.GetProperty("digest").GetString() == index.Digest);
        Assert.Equal("done", indexRow.GetProperty("scanStatus").GetString());
        Assert.Equal(3, indexRow.GetProperty("vulnerabilities").GetProperty("total").GetInt32());
        show = (await CliRunner.RunAsync(env, null, "scan", "show", $"{registry.Name}/apps/debian:1.0")).EnsureSuccess();
        Assert.Contains("1 critical, 2 high", show.Stdout, StringComparison.Ordinal);

        // The registry: two images, none unchecked, the same three advisories counted once over all of them.
        var after = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/vulnerabilities");
        Assert.Equal((2, 0), (after.GetProperty("images").GetInt32(), after.GetProperty("notChecked").GetInt32()));
        AssertSummary(after, critical: 1, high: 2);
        var affected = after.GetProperty("mostAffected").EnumerateArray().ToList();
        Assert.Equal(
            [("apps/debian", single.Digest, "1.0"), ("multi", index.Digest, "2.0")],
            affected.Select(a => (a.GetProperty("repository").GetString(), a.GetProperty("digest").GetString(), string.Join(',', a.GetProperty("tags").EnumerateArray().Select(t => t.GetString())))));
        Assert.All(affected, a => AssertSummary(a, critical: 1, high: 2));
        var top = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/vulnerabilities?top=1");
        Assert.Equal(1, top.GetProperty("mostAffected").GetArrayLength());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-3")]
    public async Task ATopOutsideOneToAHundredIsAProblem(string top)
    {
        var registry = await fixture.NewRegistryAsync("nt");
        using var response = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/vulnerabilities?top={top}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invalid top", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());

        using var missing = await fixture.Admin.Http.GetAsync("api/v1/registries/no-such-registry/vulnerabilities");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>Polls the report until its status is <paramref name="expected"/> (failing at once on a failed scan).</summary>
    private async Task<JsonElement> WaitForScanAsync(string registry, string repository, string reference, string expected)
    {
        var deadline = DateTime.UtcNow + ScanWait;
        while (true)
        {
            var report = await fixture.Admin.GetRawJsonAsync(
                $"api/v1/registries/{registry}/repositories/{ManagementClient.EscapePath(repository)}/manifests/{Uri.EscapeDataString(reference)}/vulnerabilities");
            var status = report.GetProperty("status").GetString();
            if (status == expected)
            {
                return report;
            }

            Assert.True(status != "failed", $"the scan of {repository}:{reference} failed: {report}{fixture.ServerLog}");
            Assert.True(DateTime.UtcNow < deadline, $"the scan of {repository}:{reference} is not {expected} after {ScanWait}: {report}{fixture.ServerLog}");
            await Task.Delay(200);
        }
    }

    private static void AssertSummary(JsonElement report, int critical, int high)
    {
        var summary = report.GetProperty("summary");
        Assert.Equal(
            (critical, high, 0, 0, 0, critical + high),
            (summary.GetProperty("critical").GetInt32(), summary.GetProperty("high").GetInt32(), summary.GetProperty("medium").GetInt32(),
                summary.GetProperty("low").GetInt32(), summary.GetProperty("unknown").GetInt32(), summary.GetProperty("total").GetInt32()));
    }
}
