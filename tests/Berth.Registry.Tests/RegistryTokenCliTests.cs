using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>berth token create|list|revoke --registry</c>, <c>berth registry revoke-all</c>, what <c>reset-password</c> says
/// about the tokens, and the pull-only default of <c>berth registry k8s-secret</c>, against a real server.
/// </summary>
public sealed class RegistryTokenCliTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => CliRunner.RunAsync(CliRunner.Environment(fixture), null, arguments);

    private async Task<HttpStatusCode> V2StatusAsync(string username, string password)
    {
        using var client = new RegistryClient(fixture.Server.BaseUrl, username, password, RegistryAuthMode.Basic);
        using var response = await client.GetAsync("v2/");
        return response.StatusCode;
    }

    [Fact]
    public async Task CreateListRevokeAndResetPasswordNamesTheTokensThatKeepWorking()
    {
        var registry = await fixture.NewRegistryAsync("rtc");
        var created = (await BerthAsync("token", "create", "ci", "--registry", registry.Name, "--scope", "pull", "--scope", "push",
            "--repository", "api/*", "--expires-in-days", "90", "--json")).EnsureSuccess();
        using var json = JsonDocument.Parse(created.Stdout);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var token = json.RootElement.GetProperty("token").GetString()!;
        Assert.Equal(["pull", "push"], json.RootElement.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, token));

        var table = (await BerthAsync("token", "list", "--registry", registry.Name)).EnsureSuccess();
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("pull,push", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("api/*", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("active", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, table.Stdout, StringComparison.Ordinal);

        var reset = (await BerthAsync("registry", "reset-password", registry.Name, "--yes")).EnsureSuccess();
        Assert.Contains("keep working", reset.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ci ({id}): pull, push", reset.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, token));

        (await BerthAsync("token", "revoke", id, "--registry", registry.Name)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, token));
        var again = await BerthAsync("token", "revoke", id, "--registry", registry.Name);
        Assert.True(again.ExitCode == 1, again.ToString());

        var missingScope = await BerthAsync("token", "create", "x", "--registry", registry.Name);
        Assert.True(missingScope.ExitCode == 2, missingScope.ToString());
        var scopeWithoutRegistry = await BerthAsync("token", "create", "x", "--scope", "pull");
        Assert.True(scopeWithoutRegistry.ExitCode == 2, scopeWithoutRegistry.ToString());
    }

    [Fact]
    public async Task RevokeAllAsksForYesWithoutATerminalThenRevokesThePasswordAndEveryToken()
    {
        var registry = await fixture.NewRegistryAsync("rtc");
        var created = (await BerthAsync("token", "create", "ci", "--registry", registry.Name, "--scope", "pull", "--json")).EnsureSuccess();
        using var json = JsonDocument.Parse(created.Stdout);
        var token = json.RootElement.GetProperty("token").GetString()!;

        var refused = await BerthAsync("registry", "revoke-all", registry.Name);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("--yes", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, token));

        var revoked = (await BerthAsync("registry", "revoke-all", registry.Name, "--yes", "--json")).EnsureSuccess();
        using var result = JsonDocument.Parse(revoked.Stdout);
        var password = result.RootElement.GetProperty("password").GetString()!;
        Assert.Equal(1, result.RootElement.GetProperty("revokedTokenCount").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, token));
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, password));
    }

    [Fact]
    public async Task KubernetesSecretEmbedsANewPullOnlyTokenByDefault()
    {
        var registry = await fixture.NewRegistryAsync("rtc");
        var result = (await BerthAsync("registry", "k8s-secret", registry.Name, "--namespace", "ci", "--secret-name", "pull")).EnsureSuccess();
        Assert.Contains("pull-only access token", result.Stderr, StringComparison.Ordinal);

        var line = result.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith(".dockerconfigjson:", StringComparison.Ordinal));
        using var config = JsonDocument.Parse(Convert.FromBase64String(line.Trim()[".dockerconfigjson:".Length..].Trim()));
        var token = config.RootElement.GetProperty("auths").GetProperty(fixture.Server.Host).GetProperty("password").GetString()!;
        Assert.StartsWith("berth_rt_", token, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, token));
        using var push = await LifecycleSupport.BasicAsync(fixture.Server, HttpMethod.Post, $"v2/{registry.Repo("app")}/blobs/uploads/", registry.Username, token);
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);

        var listed = (await BerthAsync("token", "list", "--registry", registry.Name)).EnsureSuccess();
        Assert.Contains("k8s-ci-pull", listed.Stdout, StringComparison.Ordinal);
    }
}
