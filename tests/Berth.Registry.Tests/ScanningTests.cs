using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Vulnerability scanning end to end: advisories imported through the API and the CLI, images with real package
/// databases pushed with skopeo, scanned on push in the background, and the exact findings read back.
/// </summary>
public sealed class ScanningTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IAsyncLifetime
{
    private static readonly TimeSpan ScanWait = TimeSpan.FromSeconds(60);

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    /// <summary>Every test starts with the fixture's advisory set imported (idempotent: the second import changes nothing).</summary>
    public async Task InitializeAsync()
    {
        using var response = await ImportJsonAsync(ScanFixtures.Advisories, "fixtures");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PushedImagesAreScannedWithExactlyTheExpectedFindings()
    {
        var registry = await fixture.NewRegistryAsync("sc");
        var layout = fixture.NewDir("images");
        var debian = ScanFixtures.WriteDebianImage(layout, "debian");
        var alpine = ScanFixtures.WriteAlpineImage(layout, "alpine");
        var rocky = ScanFixtures.WriteRockyImage(layout, "rocky");
        foreach (var tag in new[] { "debian", "alpine", "rocky" })
        {
            (await _skopeo.CopyAsync($"oci:{layout}:{tag}", Skopeo.Docker(registry.Image("apps/" + tag, "1.0")), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        // Scanned on push, without being asked.
        var debianReport = await WaitForScanAsync(registry.Name, "apps/debian", "1.0");
        AssertFindings(ScanFixtures.DebianFindings, debianReport);
        Assert.Equal(debian.Digest, debianReport.GetProperty("digest").GetString());
        Assert.Equal("debian", debianReport.GetProperty("os").GetProperty("id").GetString());
        Assert.Equal(5, debianReport.GetProperty("packageCount").GetInt32()); // 4 dpkg + lodash; minimist was whited out
        AssertSummary(debianReport, critical: 1, high: 2, medium: 0, low: 0, unknown: 0);
        Assert.Equal("DSA-9001-1", debianReport.GetProperty("findings")[0].GetProperty("advisoryId").GetString()); // most severe first
        Assert.Equal(["CVE-2099-0001"], Strings(debianReport.GetProperty("findings")[0], "aliases"));

        var alpineReport = await WaitForScanAsync(registry.Name, "apps/alpine", alpine.Digest);
        AssertFindings(ScanFixtures.AlpineFindings, alpineReport);
        AssertSummary(alpineReport, critical: 0, high: 0, medium: 1, low: 0, unknown: 1);

        var rockyReport = await WaitForScanAsync(registry.Name, "apps/rocky", rocky.Digest);
        AssertFindings(ScanFixtures.RockyFindings, rockyReport);
        AssertSummary(rockyReport, critical: 0, high: 2, medium: 0, low: 0, unknown: 0);

        // Filters: minimum severity, text, fixable only.
        var critical = await GetReportAsync(registry.Name, "apps/debian", "1.0", "?severity=critical");
        Assert.Equal(["DSA-9001-1"], Findings(critical).Select(f => f.Advisory));
        var lodash = await GetReportAsync(registry.Name, "apps/debian", "1.0", "?q=LODASH");
        Assert.Equal(["GHSA-9001-lodash"], Findings(lodash).Select(f => f.Advisory));
        var byCve = await GetReportAsync(registry.Name, "apps/debian", "1.0", "?q=CVE-2099-0002");
        Assert.Equal(["DSA-9002-1"], Findings(byCve).Select(f => f.Advisory));

        // The inventory as a CycloneDX SBOM: every package with its purl; the whited-out one is not there.
        using (var sbomResponse = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/apps/debian/manifests/1.0/sbom"))
        {
            Assert.Equal(HttpStatusCode.OK, sbomResponse.StatusCode);
            Assert.Equal("application/vnd.cyclonedx+json", sbomResponse.Content.Headers.ContentType?.MediaType);
            var sbom = JsonDocument.Parse(await sbomResponse.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("CycloneDX", sbom.GetProperty("bomFormat").GetString());
            Assert.Equal(debian.Digest, sbom.GetProperty("metadata").GetProperty("component").GetProperty("version").GetString());
            var purls = sbom.GetProperty("components").EnumerateArray()
                .Where(c => c.TryGetProperty("purl", out _)).Select(c => c.GetProperty("purl").GetString()!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(
                [
                    "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?distro=debian-12",
                    "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12",
                    "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?distro=debian-12",
                    "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?distro=debian-12",
                    "pkg:npm/lodash@4.17.20",
                ],
                purls);
        }

        // The artifact listing carries the status and the counts (the dashboard's badges).
        var artifacts = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/apps/debian/artifacts");
        var listed = Assert.Single(artifacts.EnumerateArray());
        Assert.Equal("done", listed.GetProperty("scanStatus").GetString());
        Assert.Equal(1, listed.GetProperty("vulnerabilities").GetProperty("critical").GetInt32());
        Assert.Equal(3, listed.GetProperty("vulnerabilities").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnIndexHasOneReportPerPlatform()
    {
        var registry = await fixture.NewRegistryAsync("sx");
        var layout = fixture.NewDir("multi");
        var debian = ScanFixtures.WriteDebianImage(layout, "amd64", extra: "multi");
        var alpine = ScanFixtures.WriteAlpineImage(layout, "arm64");
        var index = ScanFixtures.WriteIndex(layout, "multi", (debian.Digest, debian.Size, "amd64"), (alpine.Digest, alpine.Size, "arm64"));
        (await _skopeo.CopyAsync($"oci:{layout}:multi", Skopeo.Docker(registry.Image("multi", "2.0")), destinationCreds: registry.Creds, extraArguments: ["--all"])).EnsureSuccess();

        var report = await WaitForScanAsync(registry.Name, "multi", "2.0");
        Assert.Equal(index.Digest, report.GetProperty("digest").GetString());
        Assert.Empty(report.GetProperty("findings").EnumerateArray());
        var platforms = report.GetProperty("platforms").EnumerateArray().ToDictionary(p => p.GetProperty("platform").GetString()!);
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(debian.Digest, platforms["linux/amd64"].GetProperty("digest").GetString());
        AssertFindings(ScanFixtures.DebianFindings, platforms["linux/amd64"]);
        AssertFindings(ScanFixtures.AlpineFindings, platforms["linux/arm64"]);
        AssertSummary(report, critical: 1, high: 2, medium: 1, low: 0, unknown: 1); // each advisory once over the platforms

        // Scanning the index on demand scans each platform image.
        using var scan = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/repositories/multi/manifests/2.0/scan", null);
        Assert.Equal(HttpStatusCode.Accepted, scan.StatusCode);
        var queued = JsonDocument.Parse(await scan.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, queued.GetProperty("platforms").GetArrayLength());
        Assert.All(queued.GetProperty("platforms").EnumerateArray(), p => Assert.Contains(p.GetProperty("status").GetString(), new[] { "queued", "running", "done" }));
        AssertFindings(ScanFixtures.AlpineFindings, (await WaitForScanAsync(registry.Name, "multi", alpine.Digest)));
    }

    [Fact]
    public async Task ANewAdvisoryRescansWhatWasScannedAndAnIdenticalImportChangesNothing()
    {
        var registry = await fixture.NewRegistryAsync("sr");
        var layout = fixture.NewDir("rescan");
        var probe = ScanFixtures.WriteProbeImage(layout, "v1");
        (await _skopeo.CopyAsync($"oci:{layout}:v1", Skopeo.Docker(registry.Image("svc", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        var before = await WaitForScanAsync(registry.Name, "svc", "v1");
        AssertFindings([], before);
        var versionBefore = before.GetProperty("advisoryDatabaseVersion").GetInt64();
        var countBefore = (await fixture.Admin.GetRawJsonAsync("api/v1/vulndb")).GetProperty("advisoryCount").GetInt64();

        // The same documents again: nothing changes, the version stays, nothing is re-scanned.
        using (var again = await ImportJsonAsync(ScanFixtures.Advisories, "fixtures"))
        {
            var result = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(0, result.GetProperty("added").GetInt32());
            Assert.Equal(0, result.GetProperty("updated").GetInt32());
            Assert.Equal(10, result.GetProperty("unchanged").GetInt32());
            Assert.Equal(versionBefore, result.GetProperty("databaseVersion").GetInt64());
            Assert.Equal(0, result.GetProperty("rescansQueued").GetInt32());
        }

        // The layers are immutable, so a re-scan matches the stored inventory again without reading them: it works
        // even with the layer gone from storage (a first scan would fail on it).
        var layer = JsonDocument.Parse(File.ReadAllBytes(OciLayout.BlobPath(layout, probe.Digest))).RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;
        Assert.Equal(1, DeleteStoredBlob(layer));

        // A new advisory, as a zip archive the way osv.dev publishes them: the image is re-scanned and gains the finding.
        using (var import = await ImportZipAsync(("DSA-9004-1.json", ScanFixtures.ProbeAdvisory), ("README.txt", "not an advisory"), ("broken.json", "{")))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
            var result = JsonDocument.Parse(await import.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(1, result.GetProperty("added").GetInt32());
            Assert.Equal(1, result.GetProperty("rejected").GetInt32());
            Assert.Equal("broken.json", result.GetProperty("errors")[0].GetProperty("location").GetString());
            Assert.Equal(versionBefore + 1, result.GetProperty("databaseVersion").GetInt64());
            Assert.True(result.GetProperty("rescansQueued").GetInt32() >= 1);
        }

        var after = await WaitForScanAsync(registry.Name, "svc", "v1", report => report.GetProperty("advisoryDatabaseVersion").GetInt64() > versionBefore);
        AssertFindings([("DSA-9004-1", "berth-probe", "1.0-1", "1.0-2", "unknown", null)], after);
        Assert.False(after.GetProperty("outdated").GetBoolean());

        var status = await fixture.Admin.GetRawJsonAsync("api/v1/vulndb");
        Assert.Equal(versionBefore + 1, status.GetProperty("version").GetInt64());
        Assert.Equal(countBefore + 1, status.GetProperty("advisoryCount").GetInt64());
        var sources = status.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!);
        Assert.Equal(10, sources["fixtures"].GetProperty("advisoryCount").GetInt64());
        Assert.Equal(1, sources["osv.zip"].GetProperty("advisoryCount").GetInt64());
        Assert.StartsWith("2099-02-01", sources["osv.zip"].GetProperty("newestModified").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputGetsClearErrorsAndUnreadableImagesFailWithAReason()
    {
        var registry = await fixture.NewRegistryAsync("sb");
        using (var notJson = await ImportJsonAsync("{ not json", "bad"))
        {
            await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "Invalid JSON");
        }

        using (var noId = await ImportJsonAsync("""[{"summary":"no id"}]""", "bad"))
        {
            await AssertProblemAsync(noId, HttpStatusCode.BadRequest, "No valid advisories");
        }

        using (var notZip = await PostVulnDbAsync(new ByteArrayContent("PK but not a zip"u8.ToArray()), "application/zip", "bad"))
        {
            await AssertProblemAsync(notZip, HttpStatusCode.BadRequest, "Not a zip archive");
        }

        using (var text = await PostVulnDbAsync(new StringContent("hello"), "text/plain", "bad"))
        {
            await AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType, "Unsupported media type");
        }

        // Registry credentials are not an administrator's.
        using (var asRegistry = new HttpClient { BaseAddress = fixture.Server.BaseUrl })
        {
            asRegistry.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);
            using var refused = await asRegistry.PostAsync("api/v1/vulndb", new StringContent(ScanFixtures.UnmatchedAdvisory, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // A layer that is not the gzip its media type says: the scan fails and says which layer and why.
        var layout = fixture.NewDir("garbage");
        var garbage = ScanFixtures.Garbage();
        var image = ScanFixtures.WriteImage(layout, "bad", "amd64", garbage);
        (await _skopeo.CopyAsync($"oci:{layout}:bad", Skopeo.Docker(registry.Image("broken", "bad")), destinationCreds: registry.Creds)).EnsureSuccess();
        var failed = await WaitForScanAsync(registry.Name, "broken", "bad");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("could not be read", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(JsonDocument.Parse(File.ReadAllText(OciLayout.BlobPath(layout, image.Digest))).RootElement
            .GetProperty("layers")[0].GetProperty("digest").GetString()!, failed.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Unknown repositories and manifests are 404s; an invalid severity filter is a 400.
        using (var missing = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/broken/manifests/nope/vulnerabilities"))
        {
            await AssertProblemAsync(missing, HttpStatusCode.NotFound, "Manifest not found");
        }

        using (var missingRepo = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/repositories/none/manifests/bad/scan", null))
        {
            await AssertProblemAsync(missingRepo, HttpStatusCode.NotFound, "Repository not found");
        }

        using (var badSeverity = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/broken/manifests/bad/vulnerabilities?severity=dire"))
        {
            await AssertProblemAsync(badSeverity, HttpStatusCode.BadRequest, "Invalid severity");
        }
    }

    [Fact]
    public async Task NonImageArtifactsHaveNothingToScan()
    {
        var registry = await fixture.NewRegistryAsync("sa");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var image = await ImageContent.PushSmallImageAsync(client, name, "1.0");
        await client.PushBlobAsync(name, ImageContent.EmptyJson);
        var sbom = await client.PushManifestAsync(name, "sbom", ImageContent.Artifact("application/spdx+json", image.Descriptor, "sbom"));

        using var scan = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/repositories/app/manifests/{sbom}/scan", null);
        await AssertProblemAsync(scan, HttpStatusCode.Conflict, "Nothing to scan");
        var report = await GetReportAsync(registry.Name, "app", sbom, "");
        Assert.Equal("not_scanned", report.GetProperty("status").GetString());
        using var noInventory = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/app/manifests/{sbom}/sbom");
        await AssertProblemAsync(noInventory, HttpStatusCode.Conflict, "Not scanned");
    }

    [Fact]
    public async Task ViewersReadScansDevelopersRunThemAdministratorsImportAndOutsidersSeeNothing()
    {
        var registry = await fixture.NewRegistryAsync("so");
        using (var client = fixture.Client(registry))
        {
            await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), "1.0");
        }

        using var viewer = await NewUserAsync(registry.Project, "viewer");
        using var developer = await NewUserAsync(registry.Project, "developer");
        using var outsider = await NewUserAsync(null, null);
        var vulnerabilities = $"api/v1/registries/{registry.Name}/repositories/app/manifests/1.0/vulnerabilities";
        var scan = $"api/v1/registries/{registry.Name}/repositories/app/manifests/1.0/scan";

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(vulnerabilities)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/v1/vulndb")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(scan, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await developer.PostAsync(scan, null)).StatusCode);
        using (var import = new StringContent(ScanFixtures.UnmatchedAdvisory, Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await developer.PostAsync("api/v1/vulndb", import)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(vulnerabilities)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsync(scan, null)).StatusCode);
    }

    [Fact]
    public async Task ScanDataSurvivesAPasswordResetAndGoesWithItsRegistry()
    {
        var registry = await fixture.NewRegistryAsync("sd");
        var layout = fixture.NewDir("lifecycle");
        var image = ScanFixtures.WriteDebianImage(layout, "v1", extra: registry.Name);
        (await _skopeo.CopyAsync($"oci:{layout}:v1", Skopeo.Docker(registry.Image("keep", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        var before = await WaitForScanAsync(registry.Name, "keep", "v1");
        Assert.Equal(1, LifecycleSupport.CountScanRows(fixture.Server.DataDir, image.Digest));

        await LifecycleSupport.ResetPasswordAsync(fixture.Admin, registry.Name);
        var after = await GetReportAsync(registry.Name, "keep", "v1", "");
        Assert.Equal(before.GetRawText(), after.GetRawText());

        using (var delete = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}?confirm={registry.Name}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // Unreachable at once; the rows themselves go with the registry's background purge.
        using var gone = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/keep/manifests/v1/vulnerabilities");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.True(await LifecycleSupport.EventuallyAsync(() => LifecycleSupport.CountScanRows(fixture.Server.DataDir, image.Digest) == 0, TimeSpan.FromSeconds(60)),
            "the scan row outlived the registry's purge" + fixture.ServerLog);
    }

    [Fact]
    public async Task TheCliImportsDirectoriesAndShowsReports()
    {
        var registry = await fixture.NewRegistryAsync("sl");
        var layout = fixture.NewDir("cli");
        ScanFixtures.WriteRockyImage(layout, "v1");
        (await _skopeo.CopyAsync($"oci:{layout}:v1", Skopeo.Docker(registry.Image("team/api", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        await WaitForScanAsync(registry.Name, "team/api", "v1");

        var advisories = fixture.NewDir("osv");
        Directory.CreateDirectory(Path.Combine(advisories, "Debian"));
        File.WriteAllText(Path.Combine(advisories, "Debian", "DSA-9005-1.json"), ScanFixtures.UnmatchedAdvisory);
        var env = CliRunner.Environment(fixture);
        var import = (await BerthAsync(env, "vulndb", "import", advisories, "--source", "debian-dir")).EnsureSuccess();
        Assert.Matches(@"Imported debian-dir: 1 added, 0 updated, 0 unchanged, 0 rejected; database version \d+", import.Stdout);

        var status = (await BerthAsync(env, "vulndb", "status")).EnsureSuccess();
        Assert.Contains("debian-dir", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("fixtures", status.Stdout, StringComparison.Ordinal);

        var show = (await BerthAsync(env, "scan", "show", $"{registry.Name}/team/api:v1")).EnsureSuccess();
        Assert.Contains("RLSA-2099:0001", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("GHSA-9003-stj", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("1:3.0.7-27.el9", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 critical, 2 high", show.Stdout, StringComparison.Ordinal);

        var json = (await BerthAsync(env, "scan", "show", $"{registry.Name}/team/api:v1", "--severity", "high", "--json")).EnsureSuccess();
        AssertFindings(ScanFixtures.RockyFindings, JsonDocument.Parse(json.Stdout).RootElement);

        var sbomFile = Path.Combine(fixture.NewDir("sbom"), "api.cdx.json");
        (await BerthAsync(env, "scan", "sbom", $"{registry.Name}/team/api:v1", "-o", sbomFile)).EnsureSuccess();
        var components = JsonDocument.Parse(File.ReadAllText(sbomFile)).RootElement.GetProperty("components").EnumerateArray()
            .Select(c => c.TryGetProperty("purl", out var purl) ? purl.GetString() : null).OfType<string>().ToList();
        Assert.Contains("pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?epoch=1&distro=rocky-9.3", components);
        Assert.Contains("pkg:nuget/System.Text.Json@8.0.0", components);

        var start = (await BerthAsync(env, "scan", "start", $"{registry.Name}/team/api:v1", "--wait")).EnsureSuccess();
        Assert.Contains(": done", start.Stdout, StringComparison.Ordinal);

        var unknown = await BerthAsync(env, "scan", "show", $"{registry.Name}/team/api:nope");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no manifest 'nope'", unknown.Stderr, StringComparison.Ordinal);
    }

    // ---- helpers

    /// <summary>A dashboard/API user with a role in <paramref name="project"/> (or none), and a client signed in as them.</summary>
    private async Task<HttpClient> NewUserAsync(string? project, string? role)
    {
        const string password = "correct horse battery";
        var username = Names.Unique("user");
        using (var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        if (project is not null)
        {
            using var member = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role });
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        }

        var client = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(username, password);
        return client;
    }

    private static Task<ProcessResult> BerthAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        CliRunner.RunAsync(environment, null, arguments);

    private Task<HttpResponseMessage> ImportJsonAsync(string json, string source) =>
        PostVulnDbAsync(new StringContent(json, Encoding.UTF8), "application/json", source);

    private Task<HttpResponseMessage> ImportZipAsync(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entryName, content) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
                writer.Write(content);
            }
        }

        return PostVulnDbAsync(new ByteArrayContent(buffer.ToArray()), "application/zip", "osv.zip");
    }

    private Task<HttpResponseMessage> PostVulnDbAsync(HttpContent content, string mediaType, string source)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return fixture.Admin.Http.PostAsync($"api/v1/vulndb?source={Uri.EscapeDataString(source)}", content);
    }

    private async Task<JsonElement> GetReportAsync(string registry, string repository, string reference, string query) =>
        await fixture.Admin.GetRawJsonAsync(
            $"api/v1/registries/{registry}/repositories/{ManagementClient.EscapePath(repository)}/manifests/{Uri.EscapeDataString(reference)}/vulnerabilities{query}");

    /// <summary>Polls the report until the scan (every platform of an index) has finished and <paramref name="until"/> holds.</summary>
    private async Task<JsonElement> WaitForScanAsync(string registry, string repository, string reference, Func<JsonElement, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + ScanWait;
        while (true)
        {
            var report = await GetReportAsync(registry, repository, reference, "");
            if (report.GetProperty("status").GetString() is "done" or "failed" && (until is null || until(report)))
            {
                return report;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"scan of {repository}:{reference} did not finish in {ScanWait}: {report}{fixture.ServerLog}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Deletes a blob's file from the server's filesystem store behind its back; returns how many files went.</summary>
    private int DeleteStoredBlob(string digest)
    {
        var hex = digest["sha256:".Length..];
        var files = Directory.EnumerateFiles(Path.Combine(fixture.Server.DataDir, "blobs"), "*", SearchOption.AllDirectories)
            .Where(f => f.Contains(hex, StringComparison.Ordinal)).ToList();
        files.ForEach(File.Delete);
        return files.Count;
    }

    private static void AssertFindings(
        IEnumerable<(string Advisory, string Package, string Installed, string? Fixed, string Severity, double? Score)> expected, JsonElement report)
    {
        Assert.Equal("done", report.GetProperty("status").GetString());
        Assert.Equal(
            expected.OrderBy(f => f.Advisory, StringComparer.Ordinal).ToList(),
            Findings(report).OrderBy(f => f.Advisory, StringComparer.Ordinal).ToList());
    }

    private static List<(string Advisory, string Package, string Installed, string? Fixed, string Severity, double? Score)> Findings(JsonElement report) =>
        [.. report.GetProperty("findings").EnumerateArray().Select(f => (
            f.GetProperty("advisoryId").GetString()!,
            f.GetProperty("package").GetString()!,
            f.GetProperty("installedVersion").GetString()!,
            f.TryGetProperty("fixedVersion", out var fixedVersion) && fixedVersion.ValueKind == JsonValueKind.String ? fixedVersion.GetString() : null,
            f.GetProperty("severity").GetString()!,
            f.TryGetProperty("cvssScore", out var score) && score.ValueKind == JsonValueKind.Number ? score.GetDouble() : (double?)null))];

    private static void AssertSummary(JsonElement report, int critical, int high, int medium, int low, int unknown)
    {
        var summary = report.GetProperty("summary");
        Assert.Equal(
            (critical, high, medium, low, unknown, critical + high + medium + low + unknown),
            (summary.GetProperty("critical").GetInt32(), summary.GetProperty("high").GetInt32(), summary.GetProperty("medium").GetInt32(),
                summary.GetProperty("low").GetInt32(), summary.GetProperty("unknown").GetInt32(), summary.GetProperty("total").GetInt32()));
    }

    private static List<string> Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
    }
}
