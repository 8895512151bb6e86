using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary><c>berth immutability show|set|clear REGISTRY</c> against a real server.</summary>
public sealed class CliImmutabilityTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => CliRunner.RunAsync(CliRunner.Environment(fixture), null, arguments);

    [Fact]
    public async Task RulesAreSetFromOptionsAndFromAFileShownAndCleared()
    {
        var registry = await fixture.NewRegistryAsync("cliim");
        Assert.Contains("No immutability rules", (await BerthAsync("immutability", "show", registry.Name)).EnsureSuccess().Stdout, StringComparison.Ordinal);

        // A comma inside a pattern stays in it: only ",field=" separates fields.
        var set = (await BerthAsync("immutability", "set", registry.Name,
            "--rule", "repositories=**,tagPattern=.*,excludeTagPattern=^latest$",
            "--rule", "repositories=release/*,tagPattern=^v[0-9]{1,3}\\.")).EnsureSuccess().Stdout;
        Assert.Contains("release/*", set, StringComparison.Ordinal);

        using (var shown = JsonDocument.Parse((await BerthAsync("immutability", "show", registry.Name, "--json")).EnsureSuccess().Stdout))
        {
            var rules = shown.RootElement.GetProperty("rules").EnumerateArray()
                .Select(r => (r.GetProperty("repositories").GetString(), r.GetProperty("tagPattern").GetString(), Exclude(r))).ToList();
            Assert.Equal([("**", ".*", "^latest$"), ("release/*", "^v[0-9]{1,3}\\.", null)], rules);
        }

        var table = (await BerthAsync("immutability", "show", registry.Name)).EnsureSuccess().Stdout;
        Assert.Contains("^latest$", table, StringComparison.Ordinal);

        var file = Path.Combine(fixture.NewDir("rules"), "rules.json");
        await File.WriteAllTextAsync(file, """{"rules":[{"repositories":"app","tagPattern":"^prod-"}]}""");
        (await BerthAsync("immutability", "set", registry.Name, "--file", file)).EnsureSuccess();
        var stored = await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/immutability");
        Assert.Equal("^prod-", Assert.Single(stored.GetProperty("rules").EnumerateArray()).GetProperty("tagPattern").GetString());

        // The server's refusal names the field; a malformed --rule is a usage error before any request.
        var invalid = await BerthAsync("immutability", "set", registry.Name, "--rule", "repositories=**,tagPattern=(");
        Assert.False(invalid.Succeeded);
        Assert.Contains("rules[0].tagPattern", invalid.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await BerthAsync("immutability", "set", registry.Name, "--rule", "tags=.*")).ExitCode);
        Assert.Equal(2, (await BerthAsync("immutability", "set", registry.Name)).ExitCode);

        (await BerthAsync("immutability", "clear", registry.Name)).EnsureSuccess();
        Assert.Equal(0, (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/immutability")).GetProperty("rules").GetArrayLength());
    }

    private static string? Exclude(JsonElement rule) =>
        rule.TryGetProperty("excludeTagPattern", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
