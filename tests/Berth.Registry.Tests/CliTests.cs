using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>The <c>berth</c> command-line client against a real server.</summary>
public sealed class CliTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Dictionary<string, string?> Env(string? password = null, string? config = null) => CliRunner.Environment(fixture, password, config);

    private static Task<ProcessResult> BerthAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        CliRunner.RunAsync(environment, null, arguments);

    private static Task<ProcessResult> BerthWithInputAsync(IReadOnlyDictionary<string, string?> environment, string? input, params string[] arguments) =>
        CliRunner.RunAsync(environment, input, arguments);

    [Fact]
    public async Task ProjectAndRegistryCommands()
    {
        var env = Env();
        var project = Names.Unique("cp");
        var registry = Names.Unique("cr");

        (await BerthAsync(env, "project", "create", project)).EnsureSuccess();

        var projects = (await BerthAsync(env, "project", "list", "--json")).EnsureSuccess();
        using (var json = JsonDocument.Parse(projects.Stdout))
        {
            Assert.Contains(json.RootElement.EnumerateArray(), p => p.GetProperty("name").GetString() == project);
        }

        var created = (await BerthAsync(env, "registry", "create", registry, "--project", project, "--json")).EnsureSuccess();
        string password;
        using (var json = JsonDocument.Parse(created.Stdout))
        {
            Assert.Equal(registry, json.RootElement.GetProperty("name").GetString());
            Assert.Equal($"{fixture.Server.Host}/{registry}", json.RootElement.GetProperty("endpoint").GetString());
            password = json.RootElement.GetProperty("password").GetString()!;
            Assert.False(string.IsNullOrEmpty(password));
        }

        // The password printed by the CLI is the registry's real credential.
        using (var client = new RegistryClient(fixture.Server.BaseUrl, registry, password, RegistryAuthMode.Basic))
        using (var v2 = await client.GetAsync("v2/"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, v2.StatusCode);
        }

        var list = (await BerthAsync(env, "registry", "list", "--project", project)).EnsureSuccess();
        Assert.Contains(registry, list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(password, list.Stdout, StringComparison.Ordinal);

        var show = (await BerthAsync(env, "registry", "show", registry, "--json")).EnsureSuccess();
        Assert.DoesNotContain(password, show.Stdout, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(show.Stdout))
        {
            Assert.Equal(registry, json.RootElement.GetProperty("name").GetString());
            Assert.Equal(project, json.RootElement.GetProperty("project").GetString());
            Assert.False(json.RootElement.TryGetProperty("password", out _));
        }
    }

    [Fact]
    public async Task WrongPasswordFailsWithAMessage()
    {
        var result = await BerthAsync(Env(password: "wrong-password"), "project", "list");
        Assert.NotEqual(0, result.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Stderr + result.Stdout), "no error message: " + result);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorsAreReported()
    {
        var env = Env();
        var project = Names.Unique("cd");
        (await BerthAsync(env, "project", "create", project)).EnsureSuccess();
        var duplicate = await BerthAsync(env, "project", "create", project);
        Assert.NotEqual(0, duplicate.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(duplicate.Stderr), duplicate.ToString());

        var invalid = await BerthAsync(env, "project", "create", "Not_Valid");
        Assert.NotEqual(0, invalid.ExitCode);
    }

    [Fact]
    public async Task LoginStoresAPrivateConfigUsedByLaterCommands()
    {
        var config = Path.Combine(fixture.NewDir("cli-login"), "berth", "config.json");
        var loginEnv = Env(config: config);

        // `berth login` takes the URL and credentials from BERTH_URL/BERTH_USERNAME/BERTH_PASSWORD (the password also
        // on stdin, should it prompt for one).
        var login = await BerthWithInputAsync(loginEnv, fixture.Server.AdminPassword + "\n", "login");
        login.EnsureSuccess();
        Assert.True(File.Exists(config), "no config file written: " + login);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        }

        var noCredentials = new Dictionary<string, string?>
        {
            ["BERTH_URL"] = null,
            ["BERTH_USERNAME"] = null,
            ["BERTH_PASSWORD"] = null,
            ["BERTH_CONFIG"] = config,
            ["NO_COLOR"] = "1",
        };
        var project = Names.Unique("cl");
        (await BerthAsync(noCredentials, "project", "create", project)).EnsureSuccess();
        var list = (await BerthAsync(noCredentials, "project", "list", "--json")).EnsureSuccess();
        Assert.Contains(project, list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginWithWrongPasswordFailsAndWritesNothing()
    {
        var config = Path.Combine(fixture.NewDir("cli-badlogin"), "config.json");
        var login = await BerthWithInputAsync(Env(password: "nope-nope", config: config), "nope-nope\n", "login");
        Assert.NotEqual(0, login.ExitCode);
        Assert.False(File.Exists(config), "config written despite a failed login");
    }

    [Fact]
    public async Task ListsFollowTheServersPagesToTheEnd()
    {
        // More registries than a page of the API (100): the CLI follows the Link header to the last one.
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("cpg"))).Name;
        var names = new List<string>();
        for (var i = 0; i < 105; i++)
        {
            names.Add((await fixture.Admin.CreateRegistryAsync(project, $"r{i:000}-{Names.Unique("x")}")).Name);
        }

        var listed = (await BerthAsync(Env(), "registry", "list", "--project", project, "--json")).EnsureSuccess();
        using var json = JsonDocument.Parse(listed.Stdout);
        Assert.Equal(names, json.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var table = (await BerthAsync(Env(), "registry", "list", "--project", project)).EnsureSuccess();
        Assert.Contains(names[^1], table.Stdout, StringComparison.Ordinal);
    }
}
