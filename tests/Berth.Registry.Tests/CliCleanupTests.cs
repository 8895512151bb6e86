using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary><c>berth cleanup-policy …</c> and <c>berth cleanup-runs …</c> against a real server.</summary>
public sealed class CliCleanupTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => BerthWithInputAsync(null, arguments);

    private Task<ProcessResult> BerthWithInputAsync(string? input, params string[] arguments) =>
        CliRunner.RunAsync(CliRunner.Environment(fixture), input, arguments);

    [Fact]
    public async Task APolicyIsSetShownPreviewedRunAndDeleted()
    {
        var registry = await fixture.NewRegistryAsync("clicl");
        using var client = fixture.Client(registry);
        var images = new List<PushedImage>();
        for (var i = 0; i < 4; i++)
        {
            images.Add(await ImageContent.PushSmallImageAsync(client, registry.Repo("app"), $"v{i}"));
        }

        // A comma inside a pattern stays in it: only one followed by a key separates.
        var set = (await BerthAsync("cleanup-policy", "set", registry.Name, "--rule", "repositories=app,tagPattern=^v{1,2}[0-9],keepMostRecent=1",
            "--untagged-older-than-hours", "24", "--schedule", "daily")).EnsureSuccess().Stdout;
        Assert.Contains("daily", set, StringComparison.Ordinal);
        using (var policy = JsonDocument.Parse((await BerthAsync("--json", "cleanup-policy", "show", registry.Name)).EnsureSuccess().Stdout))
        {
            var rule = Assert.Single(policy.RootElement.GetProperty("rules").EnumerateArray());
            Assert.Equal("app", rule.GetProperty("repositories").GetString());
            Assert.Equal("^v{1,2}[0-9]", rule.GetProperty("tagPattern").GetString());
            Assert.Equal(1, rule.GetProperty("keepMostRecent").GetInt32());
            Assert.Equal(24, policy.RootElement.GetProperty("untaggedOlderThanHours").GetInt32());
            Assert.Equal("daily", policy.RootElement.GetProperty("schedule").GetString());
            Assert.Equal(JsonValueKind.String, policy.RootElement.GetProperty("nextRunAt").ValueKind);
        }

        var shown = (await BerthAsync("cleanup-policy", "show", registry.Name)).EnsureSuccess().Stdout;
        Assert.Contains("^v{1,2}[0-9]", shown, StringComparison.Ordinal);
        Assert.Contains("deleted after 24 hours", shown, StringComparison.Ordinal);

        var dryRun = (await BerthAsync("cleanup-policy", "dry-run", registry.Name)).EnsureSuccess().Stdout;
        Assert.Contains("A run now would delete 3 tags and 0 untagged manifests", dryRun, StringComparison.Ordinal);
        foreach (var tag in new[] { "v0", "v1", "v2" })
        {
            Assert.Matches($@"(?m)^app +{tag} +sha256:", dryRun);
        }

        // From standard input, as JSON: a policy previewed without being stored.
        using (var preview = JsonDocument.Parse((await BerthWithInputAsync("""{"rules":[{"repositories":"**","keepMostRecent":3}]}""",
            "--json", "cleanup-policy", "dry-run", registry.Name, "--file", "-")).EnsureSuccess().Stdout))
        {
            var tag = Assert.Single(preview.RootElement.GetProperty("tags").EnumerateArray());
            Assert.Equal(("app", "v0", images[0].Digest), (tag.GetProperty("repository").GetString(), tag.GetProperty("tag").GetString(), tag.GetProperty("digest").GetString()));
        }

        Assert.Equal("daily", (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/cleanup-policy")).GetProperty("schedule").GetString());

        var run = (await BerthAsync("cleanup-policy", "run", registry.Name, "--wait")).EnsureSuccess().Stdout;
        Assert.Contains("succeeded", run, StringComparison.Ordinal);
        Assert.Equal(["v3"], (await fixture.Admin.ListTagsAsync(registry.Name, "app")).Select(t => t.Name));
        var runs = (await BerthAsync("cleanup-runs", "list", registry.Name)).EnsureSuccess().Stdout;
        Assert.Contains("manual", runs, StringComparison.Ordinal);
        Assert.Contains("succeeded", runs, StringComparison.Ordinal);
        using (var listed = JsonDocument.Parse((await BerthAsync("--json", "cleanup-runs", "list", registry.Name)).EnsureSuccess().Stdout))
        {
            var only = Assert.Single(listed.RootElement.EnumerateArray());
            Assert.Equal(3, only.GetProperty("tagsDeleted").GetInt32());
        }

        Assert.Contains("Removed", (await BerthAsync("cleanup-policy", "delete", registry.Name)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Contains("No rules", (await BerthAsync("cleanup-policy", "show", registry.Name)).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputIsRefusedWithTheReason()
    {
        var registry = await fixture.NewRegistryAsync("clicl");

        var unknownKey = await BerthAsync("cleanup-policy", "set", registry.Name, "--rule", "repositories=app,keep=3");
        Assert.Equal(2, unknownKey.ExitCode);
        Assert.Contains("repositories, tagPattern", unknownKey.Stderr, StringComparison.Ordinal);

        var notANumber = await BerthAsync("cleanup-policy", "set", registry.Name, "--rule", "repositories=app,keepMostRecent=three");
        Assert.Equal(2, notANumber.ExitCode);
        Assert.Contains("keepMostRecent must be a whole number", notANumber.Stderr, StringComparison.Ordinal);

        var both = await BerthAsync("cleanup-policy", "set", registry.Name, "--file", "policy.json", "--schedule", "daily");
        Assert.Equal(2, both.ExitCode);

        var notJson = await BerthWithInputAsync("rules: []", "cleanup-policy", "set", registry.Name, "--file", "-");
        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("not JSON", notJson.Stderr, StringComparison.Ordinal);

        // The server's validation, with the field it names.
        var badRegex = await BerthAsync("cleanup-policy", "set", registry.Name, "--rule", "repositories=app,tagPattern=(");
        Assert.Equal(1, badRegex.ExitCode);
        Assert.Contains("rules[0].tagPattern", badRegex.Stderr, StringComparison.Ordinal);

        var noPolicy = await BerthAsync("cleanup-policy", "run", registry.Name);
        Assert.Equal(1, noPolicy.ExitCode);
    }
}
