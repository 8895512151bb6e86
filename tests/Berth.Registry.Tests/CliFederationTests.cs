using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary><c>berth federation add|list|remove --registry R</c> against a real server.</summary>
public sealed class CliFederationTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => CliRunner.RunAsync(CliRunner.Environment(fixture), null, arguments);

    [Fact]
    public async Task ARuleIsAddedListedAndRemoved()
    {
        var registry = await fixture.NewRegistryAsync("clifed");
        var added = (await BerthAsync("federation", "add", "gha-main", "--registry", registry.Name,
            "--issuer", "https://token.actions.githubusercontent.com", "--audience", "berth",
            "--claim", "repository=acme/app", "--claim", "ref=refs/heads/main",
            "--scope", "pull", "--scope", "push", "--repository", "app/*", "--token-lifetime", "20", "--json")).EnsureSuccess();
        using var rule = JsonDocument.Parse(added.Stdout);
        var id = rule.RootElement.GetProperty("id").GetString()!;
        Assert.Equal("gha-main", rule.RootElement.GetProperty("name").GetString());
        Assert.Equal([("repository", "acme/app"), ("ref", "refs/heads/main")],
            rule.RootElement.GetProperty("claims").EnumerateObject().Select(c => (c.Name, c.Value.GetString())));
        Assert.Equal(["pull", "push"], rule.RootElement.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["app/*"], rule.RootElement.GetProperty("repositories").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(20, rule.RootElement.GetProperty("tokenLifetimeMinutes").GetInt32());

        var list = (await BerthAsync("federation", "list", "--registry", registry.Name)).EnsureSuccess().Stdout;
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.Contains("repository=acme/app ref=refs/heads/main", list, StringComparison.Ordinal);
        Assert.Contains("pull,push", list, StringComparison.Ordinal);

        Assert.Contains("Removed", (await BerthAsync("federation", "remove", id, "--registry", registry.Name)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        using var after = JsonDocument.Parse((await BerthAsync("federation", "list", "--registry", registry.Name, "--json")).EnsureSuccess().Stdout);
        Assert.Equal(0, after.RootElement.GetArrayLength());
        Assert.False((await BerthAsync("federation", "remove", id, "--registry", registry.Name)).Succeeded, "a removed rule is gone");
    }

    [Fact]
    public async Task BadInputIsRefusedWithTheReason()
    {
        var registry = await fixture.NewRegistryAsync("clifed");

        var badClaim = await BerthAsync("federation", "add", "x", "--registry", registry.Name, "--issuer", "https://issuer.example",
            "--audience", "berth", "--scope", "pull", "--claim", "no-equals-sign");
        Assert.Equal(2, badClaim.ExitCode);
        Assert.Contains("CLAIM=VALUE", badClaim.Stderr, StringComparison.Ordinal);

        var httpIssuer = await BerthAsync("federation", "add", "x", "--registry", registry.Name, "--issuer", "http://issuer.example",
            "--audience", "berth", "--scope", "pull");
        Assert.False(httpIssuer.Succeeded);
        Assert.Contains("https", httpIssuer.Stderr, StringComparison.Ordinal);

        var noRegistry = await BerthAsync("federation", "list");
        Assert.Equal(2, noRegistry.ExitCode);
    }
}
