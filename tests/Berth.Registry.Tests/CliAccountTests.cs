using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>berth login</c> (a personal access token saved, never the password), and the verbs for users, members, tokens,
/// and deleting tags, manifests, repositories and projects, against a real server. stdin is redirected, so these are
/// the script paths of the prompts.
/// </summary>
public sealed class CliAccountTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => CliRunner.RunAsync(CliRunner.Environment(fixture), null, arguments);

    private Task<ProcessResult> BerthWithInputAsync(string? input, params string[] arguments) =>
        CliRunner.RunAsync(CliRunner.Environment(fixture), input, arguments);

    private static Dictionary<string, string?> ConfigOnly(string config) => new()
    {
        ["BERTH_URL"] = null,
        ["BERTH_USERNAME"] = null,
        ["BERTH_PASSWORD"] = null,
        ["BERTH_CONFIG"] = config,
        ["NO_COLOR"] = "1",
    };

    private static JsonElement Json(ProcessResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    private async Task<JsonElement> AdminTokensAsync() => await fixture.Admin.GetRawJsonAsync("api/v1/users/me/tokens");

    private async Task<HttpStatusCode> ApiStatusAsync(string username, string secret)
    {
        using var client = new ManagementClient(fixture.Server.BaseUrl, username, secret);
        using var response = await client.Http.GetAsync("api/v1/users/me");
        return response.StatusCode;
    }

    [Fact]
    public async Task LoginSavesATokenNotThePasswordAndReLoginRevokesIt()
    {
        var config = Path.Combine(fixture.NewDir("cli-token"), "berth", "config.json");
        var env = CliRunner.Environment(fixture, config: config);

        var first = (await CliRunner.RunAsync(env, fixture.Server.AdminPassword + "\n", "login")).EnsureSuccess();
        var text = await File.ReadAllTextAsync(config);
        Assert.DoesNotContain(fixture.Server.AdminPassword, text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        }

        var saved = JsonDocument.Parse(text).RootElement;
        var token = saved.GetProperty("token").GetString()!;
        var tokenId = saved.GetProperty("tokenId").GetString()!;
        Assert.Equal("admin", saved.GetProperty("username").GetString());
        Assert.False(saved.TryGetProperty("password", out _), text);
        Assert.DoesNotContain(token, first.Stdout + first.Stderr, StringComparison.Ordinal);

        // The saved token is a real, live personal access token of the admin, and later commands use it.
        Assert.Equal(HttpStatusCode.OK, await ApiStatusAsync("admin", token));
        var listed = (await AdminTokensAsync()).EnumerateArray().Single(t => t.GetProperty("id").GetString() == tokenId);
        Assert.StartsWith("berth login on ", listed.GetProperty("name").GetString(), StringComparison.Ordinal);
        var project = Names.Unique("ct");
        (await CliRunner.RunAsync(ConfigOnly(config), null, "project", "create", project)).EnsureSuccess();
        var created = (await AuditAsync(project)).Single(e => e.GetProperty("action").GetString() == "project.created");
        Assert.Equal("admin", created.GetProperty("actor").GetString());

        // Logging in again replaces the token and revokes the one before.
        var second = (await CliRunner.RunAsync(env, fixture.Server.AdminPassword + "\n", "login")).EnsureSuccess();
        Assert.Contains($"Revoked the token of the previous login ({tokenId})", second.Stdout, StringComparison.Ordinal);
        var newToken = JsonDocument.Parse(await File.ReadAllTextAsync(config)).RootElement.GetProperty("token").GetString()!;
        Assert.NotEqual(token, newToken);
        Assert.Equal(HttpStatusCode.Unauthorized, await ApiStatusAsync("admin", token));
        Assert.Equal(HttpStatusCode.OK, await ApiStatusAsync("admin", newToken));
        var revoked = (await AdminTokensAsync()).EnumerateArray().Single(t => t.GetProperty("id").GetString() == tokenId);
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
        (await CliRunner.RunAsync(ConfigOnly(config), null, "project", "list")).EnsureSuccess();
    }

    private async Task<List<JsonElement>> AuditAsync(string project) =>
        [.. (await fixture.Admin.GetRawJsonAsync($"api/v1/projects/{project}/audit")).EnumerateArray()];

    [Fact]
    public async Task AWrongPasswordSaysSo()
    {
        var config = Path.Combine(fixture.NewDir("cli-wrong"), "config.json");
        var login = await CliRunner.RunAsync(CliRunner.Environment(fixture, config: config), "not-the-password\n", "login");
        Assert.True(login.ExitCode == 1, login.ToString());
        Assert.Contains("Wrong username or password", login.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(config));

        var command = await CliRunner.RunAsync(CliRunner.Environment(fixture, password: "not-the-password"), null, "project", "list");
        Assert.True(command.ExitCode == 1, command.ToString());
        Assert.Contains("Wrong username or password.", command.Stderr, StringComparison.Ordinal);

        // No credentials at all is a different matter, and the API says that.
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var response = await anonymous.GetAsync("api/v1/projects");
        Assert.Contains("Credentials are required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryCreatePrintsPlainHttpLoginHints()
    {
        var project = Names.Unique("ch");
        (await BerthAsync("project", "create", project)).EnsureSuccess();
        var registry = Names.Unique("chr");
        var created = (await BerthAsync("registry", "create", registry, "--project", project)).EnsureSuccess();
        Assert.Contains($"skopeo login --tls-verify=false {fixture.Server.Host} -u {registry}", created.Stdout, StringComparison.Ordinal);
        Assert.Contains($"podman login --tls-verify=false {fixture.Server.Host} -u {registry}", created.Stdout, StringComparison.Ordinal);
        var reset = (await BerthAsync("registry", "reset-password", registry, "--yes")).EnsureSuccess();
        Assert.Contains($"skopeo login --tls-verify=false {fixture.Server.Host} -u {registry}", reset.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserMemberAndTokenVerbs()
    {
        var project = Names.Unique("cu");
        (await BerthAsync("project", "create", project)).EnsureSuccess();
        var user = Names.Unique("cli-user");
        const string Password = "cli-user-password-1";

        var created = (await BerthWithInputAsync(Password + "\n", "user", "create", user, "--json")).EnsureSuccess();
        Assert.Equal((user, false), (Json(created).GetProperty("username").GetString(), Json(created).GetProperty("isAdmin").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, await ApiStatusAsync(user, Password));
        var users = (await BerthAsync("user", "list")).EnsureSuccess();
        Assert.Contains(user, users.Stdout, StringComparison.Ordinal);
        Assert.Contains("USERNAME", users.Stdout, StringComparison.Ordinal);
        var weak = await BerthWithInputAsync("short\n", "user", "create", Names.Unique("weak"));
        Assert.True(weak.ExitCode == 1 && weak.Stderr.Contains("at least 12", StringComparison.Ordinal), weak.ToString());

        (await BerthAsync("member", "set", user, "--project", project, "--role", "developer")).EnsureSuccess();
        var members = (await BerthAsync("member", "list", "--project", project, "--json")).EnsureSuccess();
        Assert.Contains(Json(members).EnumerateArray(), m => m.GetProperty("username").GetString() == user && m.GetProperty("role").GetString() == "developer");
        var badRole = await BerthAsync("member", "set", user, "--project", project, "--role", "king");
        Assert.Equal(2, badRole.ExitCode);

        // As the new user: who am I, and personal tokens.
        var asUser = CliRunner.Environment(fixture);
        asUser["BERTH_USERNAME"] = user;
        asUser["BERTH_PASSWORD"] = Password;
        var me = (await CliRunner.RunAsync(asUser, null, "user", "me")).EnsureSuccess();
        Assert.Contains(user, me.Stdout, StringComparison.Ordinal);
        Assert.Contains(project, me.Stdout, StringComparison.Ordinal);
        var token = Json((await CliRunner.RunAsync(asUser, null, "token", "create", "ci", "--expires-in-days", "7", "--json")).EnsureSuccess());
        var (id, secret) = (token.GetProperty("id").GetString()!, token.GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, await ApiStatusAsync(user, secret));
        var tokens = (await CliRunner.RunAsync(asUser, null, "token", "list")).EnsureSuccess();
        Assert.Contains(id, tokens.Stdout, StringComparison.Ordinal);
        Assert.Contains("active", tokens.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, tokens.Stdout, StringComparison.Ordinal);
        (await CliRunner.RunAsync(asUser, null, "token", "revoke", id)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, await ApiStatusAsync(user, secret));
        Assert.Contains("revoked", (await CliRunner.RunAsync(asUser, null, "token", "list")).EnsureSuccess().Stdout, StringComparison.Ordinal);

        // A user changes their own password; the old one stops working.
        const string NewPassword = "cli-user-password-2";
        (await CliRunner.RunAsync(asUser, $"{Password}\n{NewPassword}\n", "user", "passwd")).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, await ApiStatusAsync(user, Password));
        Assert.Equal(HttpStatusCode.OK, await ApiStatusAsync(user, NewPassword));

        (await BerthAsync("member", "remove", user, "--project", project)).EnsureSuccess();
        var after = Json((await BerthAsync("member", "list", "--project", project, "--json")).EnsureSuccess());
        Assert.DoesNotContain(after.EnumerateArray(), m => m.GetProperty("username").GetString() == user);
        Assert.Equal(1, (await BerthAsync("member", "remove", user, "--project", project)).ExitCode);

        var actions = (await AuditAsync(project)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["project.member.removed", "project.member.set", "project.created"], actions);
    }

    [Fact]
    public async Task TagManifestAndRepositoryDelete()
    {
        var registry = await fixture.NewRegistryAsync("cd");
        string digest;
        using (var client = fixture.Client(registry, RegistryAuthMode.Basic))
        {
            digest = await client.PushImageAsync(registry.Repo("app/web"), fixture.BuildImage(seed: 7301, layers: 1), "v1");
            await client.PushImageAsync(registry.Repo("app/web"), fixture.BuildImage(seed: 7302, layers: 1), "v2");
            await client.PushImageAsync(registry.Repo("tools"), fixture.BuildImage(seed: 7303, layers: 1), "1.0");
        }

        // Without a terminal a tag delete needs --yes.
        var unconfirmed = await BerthAsync("tag", "delete", $"{registry.Name}/app/web:v2");
        Assert.True(unconfirmed.ExitCode == 2, unconfirmed.ToString());
        Assert.Contains("--yes", unconfirmed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await fixture.Admin.ListTagsAsync(registry.Name, "app/web")).Count);

        (await BerthAsync("tag", "delete", $"{registry.Name}/app/web:v2", "--yes")).EnsureSuccess();
        Assert.Equal(["v1"], (await fixture.Admin.ListTagsAsync(registry.Name, "app/web")).Select(t => t.Name));
        Assert.Equal(1, (await BerthAsync("tag", "delete", $"{registry.Name}/app/web:v2", "--yes")).ExitCode);

        Assert.Equal(2, (await BerthAsync("manifest", "delete", $"{registry.Name}/app/web:v1", "--yes")).ExitCode);
        (await BerthAsync("manifest", "delete", $"{registry.Name}/app/web@{digest}", "--yes")).EnsureSuccess();
        Assert.Empty(await fixture.Admin.ListTagsAsync(registry.Name, "app/web"));

        // A repository delete asks for its full name, like a registry delete.
        var wrong = await BerthWithInputAsync("tools\n", "repository", "delete", $"{registry.Name}/tools");
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains("removes 1 tag and 1 manifest", wrong.Stdout, StringComparison.Ordinal);
        Assert.Contains((await fixture.Admin.ListRepositoriesAsync(registry.Name)), r => r.Name == "tools");
        (await BerthWithInputAsync($"{registry.Name}/tools\n", "repository", "delete", $"{registry.Name}/tools")).EnsureSuccess();
        Assert.DoesNotContain((await fixture.Admin.ListRepositoriesAsync(registry.Name)), r => r.Name == "tools");

        var actions = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/audit")).EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("detail").GetString())).ToList();
        Assert.Contains(("tag.deleted", "app/web:v2"), actions);
        Assert.Contains(("manifest.deleted", $"app/web@{digest}"), actions);
        Assert.Contains(("repository.deleted", "tools"), actions);
    }

    [Fact]
    public async Task ProjectDeleteAsksForTheNameWhenItHasRegistries()
    {
        var registry = await fixture.NewRegistryAsync("cx");
        var project = registry.Project;

        var refused = await BerthWithInputAsync("nope\n", "project", "delete", project);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains(registry.Name, refused.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Type the project name ({project})", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}")).StatusCode);

        var deleted = (await BerthAsync("project", "delete", project, "--confirm", project)).EnsureSuccess();
        Assert.Contains($"Deleted project {project} and its 1 registry.", deleted.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}")).StatusCode);
        var audit = Json((await BerthAsync("project", "audit", project, "--json")).EnsureSuccess());
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "project.deleted");

        // An empty project goes without a question.
        var empty = Names.Unique("cxe");
        (await BerthAsync("project", "create", empty)).EnsureSuccess();
        (await BerthAsync("project", "delete", empty)).EnsureSuccess();
        Assert.DoesNotContain(empty, (await BerthAsync("project", "list")).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }
}
