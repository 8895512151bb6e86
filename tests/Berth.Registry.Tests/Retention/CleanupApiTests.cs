using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests.Retention;

/// <summary>
/// <c>/api/v1/registries/{name}/cleanup-policy</c> and <c>…/cleanup-runs</c>: the policy as stored and shown, every
/// invalid policy a 400 problem naming its field, the dry run with and without a body, and who may do what.
/// </summary>
public sealed class CleanupApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task APolicyIsStoredShownAndDeleted()
    {
        var registry = await fixture.NewRegistryAsync("cleanapi");
        var path = $"api/v1/registries/{registry.Name}/cleanup-policy";

        using (var none = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync(path)))
        {
            Assert.Equal("""{"rules":[],"untaggedOlderThanHours":null,"schedule":"off","nextRunAt":null,"updatedAt":null}""", none.RootElement.GetRawText());
        }

        using var put = await fixture.Admin.Http.PutAsync(path, Json("""
            {"rules":[{"repositories":"app","tagPattern":"^v","excludeTagPattern":"-keep$","keepMostRecent":3,"keepPulledWithinDays":30,"keepPushedWithinDays":7}],"untaggedOlderThanHours":24,"schedule":"daily"}
            """));
        var body = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, body);
        using (var stored = JsonDocument.Parse(body))
        {
            var root = stored.RootElement;
            Assert.Equal("""[{"repositories":"app","tagPattern":"^v","excludeTagPattern":"-keep$","keepMostRecent":3,"keepPulledWithinDays":30,"keepPushedWithinDays":7}]""",
                root.GetProperty("rules").GetRawText());
            Assert.Equal(24, root.GetProperty("untaggedOlderThanHours").GetInt32());
            Assert.Equal("daily", root.GetProperty("schedule").GetString());
            // Daily is midnight UTC: the next one after now.
            var next = root.GetProperty("nextRunAt").GetDateTimeOffset();
            Assert.Equal(TimeSpan.Zero, next.UtcDateTime.TimeOfDay);
            Assert.InRange(next - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromDays(1));
            Assert.Equal(body, await fixture.Admin.Http.GetStringAsync(path));
        }

        using (var cron = await fixture.Admin.Http.PutAsync(path, Json("""{"rules":[{"repositories":"**"}],"schedule":"30 4 * * 1"}""")))
        {
            using var json = JsonDocument.Parse(await cron.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, cron.StatusCode);
            Assert.Equal("30 4 * * 1", json.RootElement.GetProperty("schedule").GetString());
            var next = json.RootElement.GetProperty("nextRunAt").GetDateTimeOffset().UtcDateTime;
            Assert.Equal((DayOfWeek.Monday, 4, 30), (next.DayOfWeek, next.Hour, next.Minute));
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("untaggedOlderThanHours").ValueKind);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.Http.DeleteAsync(path)).StatusCode);
        using (var gone = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync(path)))
        {
            Assert.Equal("off", gone.RootElement.GetProperty("schedule").GetString());
            Assert.Equal(0, gone.RootElement.GetProperty("rules").GetArrayLength());
        }

        var audit = await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/audit");
        Assert.Contains("cleanup-policy.updated", audit, StringComparison.Ordinal);
        Assert.Contains("cleanup-policy.deleted", audit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"rules":[{"tagPattern":"^v"}]}""", "rules[0].repositories")]
    [InlineData("""{"rules":[{"repositories":"App//x"}]}""", "rules[0].repositories")]
    [InlineData("""{"rules":[{"repositories":"**"},{"repositories":"**","tagPattern":"(a"}]}""", "rules[1].tagPattern")]
    [InlineData("""{"rules":[{"repositories":"**","excludeTagPattern":"(?=x)"}]}""", "rules[0].excludeTagPattern")]
    [InlineData("""{"rules":[{"repositories":"**","keepMostRecent":-1}]}""", "rules[0].keepMostRecent")]
    [InlineData("""{"rules":[{"repositories":"**","keepPulledWithinDays":-1}]}""", "rules[0].keepPulledWithinDays")]
    [InlineData("""{"rules":[{"repositories":"**","keepPushedWithinDays":-3}]}""", "rules[0].keepPushedWithinDays")]
    [InlineData("""{"rules":[],"untaggedOlderThanHours":-1}""", "untaggedOlderThanHours")]
    [InlineData("""{"rules":[],"schedule":"weekly"}""", "schedule")]
    [InlineData("""{"rules":[],"schedule":"61 * * * *"}""", "schedule")]
    [InlineData("""{"rules":[],"schedule":"0 0 * * * *"}""", "schedule")]
    public async Task AnInvalidPolicyIsA400NamingTheField(string json, string field)
    {
        var registry = await fixture.NewRegistryAsync("cleanbad");
        using var response = await fixture.Admin.Http.PutAsync($"api/v1/registries/{registry.Name}/cleanup-policy", Json(json));
        await AssertProblemAsync(response, field);

        // The same policy previewed by a dry run is refused the same way.
        using var dryRun = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/cleanup-policy/dry-run", Json(json));
        await AssertProblemAsync(dryRun, field);
    }

    [Fact]
    public async Task NoBodyAndTooManyRulesAre400s()
    {
        var registry = await fixture.NewRegistryAsync("cleanbad");
        var path = $"api/v1/registries/{registry.Name}/cleanup-policy";
        using (var empty = await fixture.Admin.Http.PutAsync(path, Json("")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var none = await fixture.Admin.Http.PutAsync(path, null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        }

        var rules = string.Join(",", Enumerable.Repeat("""{"repositories":"**"}""", 51));
        using var tooMany = await fixture.Admin.Http.PutAsync(path, Json($$"""{"rules":[{{rules}}]}"""));
        await AssertProblemAsync(tooMany, "rules");
    }

    [Fact]
    public async Task ABareDryRunPreviewsTheStoredPolicyAndNeedsOne()
    {
        var registry = await fixture.NewRegistryAsync("cleandry");
        var dryRun = $"api/v1/registries/{registry.Name}/cleanup-policy/dry-run";

        // No body and no Content-Type at all, like curl -X POST.
        using (var noPolicy = await fixture.Admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, dryRun)))
        {
            await AssertProblemAsync(noPolicy, "cleanup-policy");
        }

        using (var put = await fixture.Admin.Http.PutAsync($"api/v1/registries/{registry.Name}/cleanup-policy", Json("""{"rules":[{"repositories":"**"}],"untaggedOlderThanHours":0}""")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var bare = await fixture.Admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, dryRun));
        var body = await bare.Content.ReadAsStringAsync();
        Assert.True(bare.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("""{"tags":[],"manifests":[],"protected":[],"bytesFreed":0}""", body);

        // A body previews that policy instead (and stores nothing).
        using var previewed = await fixture.Admin.Http.PostAsync(dryRun, Json("""{"rules":[{"repositories":"app"}]}"""));
        Assert.Equal(HttpStatusCode.OK, previewed.StatusCode);
        using var stored = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/cleanup-policy"));
        Assert.Equal("**", stored.RootElement.GetProperty("rules")[0].GetProperty("repositories").GetString());
    }

    [Fact]
    public async Task ViewersReadDevelopersDryRunOwnersChangeThePolicy()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("cleanroles"));
        var registry = await fixture.Admin.CreateRegistryAsync(project.Name, Names.Unique("cleanreg"));
        var path = $"api/v1/registries/{registry.Name}/cleanup-policy";
        const string Policy = """{"rules":[{"repositories":"**","keepMostRecent":5}]}""";
        using var asViewer = await MemberAsync(project.Name, "viewer");
        using var asDeveloper = await MemberAsync(project.Name, "developer");
        using var asOwner = await MemberAsync(project.Name, "owner");

        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync($"api/v1/registries/{registry.Name}/cleanup-runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PutAsync(path, Json(Policy))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsync($"{path}/dry-run", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.PutAsync(path, Json(Policy))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.DeleteAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asDeveloper.PostAsync($"{path}/dry-run", Json(Policy))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await asOwner.PutAsync(path, Json(Policy))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asDeveloper.PostAsync($"{path}/dry-run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await asOwner.DeleteAsync(path)).StatusCode);

        using var outsider = await MemberAsync(null, null);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/cleanup-runs/12345")).StatusCode);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Contains(field, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpClient> MemberAsync(string? project, string? role)
    {
        var username = Names.Unique("user");
        using (var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = Password }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        if (project is not null)
        {
            using var member = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role });
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        }

        var client = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(username, Password);
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
